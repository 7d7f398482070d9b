import { sharedDataFile } from '../fixtures/ingest/context';

/** The real Apache access log of ../shared/data (10,000 lines); fails loudly when it is missing. */
export function sampleAccessLogPath(): string {
  return sharedDataFile('apache_access_elastic_examples.log');
}
