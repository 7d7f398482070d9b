import * as fs from 'node:fs';
import { lineContext, sharedDataFile } from '../../test/fixtures/ingest/context';
import { processLine } from './process-line';

/**
 * The 10,000 real Apache combined lines published by Elastic (shared/data/README.md). The expected
 * counts were computed outside Canh, twice, from the status field:
 *   awk '{print $9}' apache_access_elastic_examples.log | cut -c1 | sort | uniq -c
 *   awk -F'"' '{split($3,a," "); print substr(a[1],1,1)}' apache_access_elastic_examples.log | sort | uniq -c
 * (9126×200 + 45×206; 164×301 + 445×304; 2×403 + 213×404 + 2×416; 3×500).
 */
const EXPECTED = { '2xx': 9171, '3xx': 609, '4xx': 217, '5xx': 3 };

describe('apache_access_elastic_examples.log', () => {
  const lines = fs.readFileSync(sharedDataFile('apache_access_elastic_examples.log'), 'utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();

  it('has the 10,000 lines the README promises', () => {
    expect(lines).toHaveLength(10_000);
  });

  it('parses every line as apache_combined, with the exact count per status class', () => {
    const counts: Record<string, number> = { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 };
    const dead: string[] = [];
    let noBytes = 0;
    lines.forEach((line, i) => {
      const r = processLine(line, undefined, lineContext('access', 'apache_combined', { line: i + 1 }));
      if (!r.ok) {
        dead.push(`line ${i + 1}: ${r.reason}`);
        return;
      }
      const http = r.event.http as { response: { status_code: number; body?: { bytes: number } } };
      counts[`${Math.floor(http.response.status_code / 100)}xx`]++;
      if (http.response.body === undefined) noBytes++;
    });
    expect(dead).toEqual([]);
    expect(counts).toEqual(EXPECTED);
    // awk '$10 == "-"' apache_access_elastic_examples.log | wc -l
    expect(noBytes).toBe(669);
  });
});
