import { loadMonitorText, parseMonitorInput } from './load-monitors';

const problems = (text: string) => loadMonitorText(text, 'm.yaml').errors.map((e) => `${e.file}:${e.line}: ${e.field ? `${e.field}: ` : ''}${e.message}`);

describe('monitor schema', () => {
  it('reads http and tcp monitors with their defaults', () => {
    const { monitors, errors } = loadMonitorText([
      '- id: dvc', '  name: Cổng DVC', '  locality: "79"', '  type: http', '  url: https://dvc.example.vn/',
      '- { id: mail, name: Mail, locality: "79", type: tcp, host: mail.example.vn, port: 25, interval: 30s, timeout: 5s }',
    ].join('\n'), 'm.yaml');
    expect(errors).toEqual([]);
    expect(monitors[0]).toMatchObject({
      id: 'dvc', service: 'Cổng DVC', intervalMs: 60_000, timeoutMs: 10_000, enabled: true, origin: { kind: 'yaml', file: 'm.yaml', line: 1 },
      check: { type: 'http', method: 'GET', bodyKeyword: null, followRedirects: true, tlsExpiryWarningDays: 14 },
    });
    expect(monitors[1]).toMatchObject({ id: 'mail', intervalMs: 30_000, timeoutMs: 5_000, check: { type: 'tcp', host: 'mail.example.vn', port: 25 } });
  });

  it('names file, line and field of every problem', () => {
    expect(problems([
      '- id: dvc', '  name: Cổng DVC', '  locality: "79"', '  type: http', '  url: ftp://dvc.example.vn/', '  expected_status: [200, 999]',
      '  port: 80', '  intervl: 30s', '  interval: 10s', '  timeout: 20s',
    ].join('\n'))).toEqual([
      'm.yaml:5: url: expected an http: or https: URL, got ftp:',
      'm.yaml:6: expected_status[1]: expected an HTTP status code (100 to 599), got 999',
      "m.yaml:7: port: unknown key 'port'; 'port' belongs to type tcp",
      "m.yaml:8: intervl: unknown key 'intervl'; did you mean 'interval'?",
      'm.yaml:10: timeout: must not exceed the interval (10s): a check would still run when the next one starts',
    ]);
    expect(problems('- { id: a, name: A, locality: "1", type: tcp, host: h, port: 1 }\n- { id: a, name: B, locality: "1", type: tcp, host: h, port: 2 }'))
      .toEqual(["m.yaml:2: id: duplicate monitor id 'a': already defined at m.yaml:1"]);
    expect(problems('- { id: a, name: A, locality: "1", type: icmp }')).toEqual(["m.yaml:1: type: unknown value 'icmp'; did you mean 'tcp'?"]);
  });

  it('checks an API body the same way, naming the fields', () => {
    expect(parseMonitorInput({ id: 'x', name: 'X', locality: '79', type: 'tcp', host: 'h', port: 22 }).origin).toEqual({ kind: 'api' });
    expect(() => parseMonitorInput({ id: 'X!', name: 'X', locality: '79', type: 'tcp', port: 70000 })).toThrow(
      /id: invalid value "X!".*host: missing required key 'host'; port: must be at most 65535, got 70000/,
    );
  });
});
