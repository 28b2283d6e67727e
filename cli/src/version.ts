/** The CLI's version, sent as clientVersion when claiming a restore. */
export const CLI_VERSION = "0.1.0";
