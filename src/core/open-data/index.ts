// Open data (docs/open-data.md): the published satisfaction index and timeliness, from the
// configuration's OPEN_DATA_* settings.
import type { Config } from "../../config.ts";
import type { OpenDataSettings } from "./datasets.ts";

export { generateOpenData, OPEN_DATA_FILES, publishedMonths, type OpenDataSettings } from "./datasets.ts";
export { OpenDataPublisher } from "./publisher.ts";

export function openDataSettings(config: Config): OpenDataSettings {
  return {
    threshold: config.OPEN_DATA_MIN_CELL,
    months: config.OPEN_DATA_MONTHS,
    settleDays: config.OPEN_DATA_SETTLE_DAYS,
    title: config.OPEN_DATA_TITLE,
    publisher: config.OPEN_DATA_PUBLISHER,
    publisherUrl: config.OPEN_DATA_PUBLISHER_URL,
    license: config.OPEN_DATA_LICENSE,
    licenseUrl: config.OPEN_DATA_LICENSE_URL,
    refreshAt: config.OPEN_DATA_REFRESH_AT,
    publicUrl: config.PUBLIC_URL,
    target: config.SATISFACTION_TARGET,
  };
}
