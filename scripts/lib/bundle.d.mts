export declare const BUNDLE_DIR: string;
/** Bundles `entry` (a path from the repository root) and returns the output file's absolute path. */
export declare function bundle(entry: string): Promise<string>;
