export declare const BUNDLE_DIR: string;
/** Bundles `entry` into BUNDLE_DIR (as `name`.mjs; `@/` per `tsconfig`) and returns the output file's path. */
export declare function bundle(entry: string, options?: { name?: string; tsconfig?: string }): Promise<string>;
