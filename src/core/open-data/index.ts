// Open data (docs/open-data.md): the published satisfaction index and timeliness.

export { generateOpenData, OPEN_DATA_FILES, publishedMonths, type OpenDataSettings } from "./datasets.ts";
export { OpenDataPublisher } from "./publisher.ts";

