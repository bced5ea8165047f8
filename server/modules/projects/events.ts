/** Postgres channel on which project settings changes are announced (payload: the project's id). */
export const PROJECT_SETTINGS_CHANNEL = "switchyard_project_settings";
