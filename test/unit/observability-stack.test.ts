import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PLATFORM_METRICS, PROMETHEUS_SERIES, type MetricDefinition } from '../support/platform-metrics.ts';

/**
 * Prometheus and Grafana of docker-compose.yml, checked statically (no Docker or
 * promtool here): the files they mount exist, Prometheus scrapes exactly the ports the
 * compose file gives the processes, and every dashboard query names metrics the
 * platform exposes (test/support/platform-metrics.ts), in well-formed PromQL.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(`${ROOT}${path}`, 'utf8');

interface Service {
  image?: string;
  command?: string[] | string;
  environment?: Record<string, string | number>;
  healthcheck?: { test: string[] | string };
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
  expose?: (string | number)[];
  volumes?: string[];
}
const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;

/** A bind mount (`./repo/path:/container/path[:ro]`) of a service, by its source in the repository. */
function bindMounts(service: Service): { source: string; target: string }[] {
  return (service.volumes ?? [])
    .filter((volume) => volume.startsWith('./'))
    .map((volume) => {
      const [source, target] = volume.split(':');
      return { source: source!.slice(2), target: target! };
    });
}
function mountTarget(service: Service, source: string): string {
  const mount = bindMounts(service).find((m) => m.source === source);
  if (!mount) throw new Error(`${source} is not mounted`);
  return mount.target;
}

interface ScrapeConfig {
  job_name: string;
  metrics_path?: string;
  static_configs: { targets: string[] }[];
}
const prometheusConfig = parse(read('deploy/prometheus/prometheus.yml')) as {
  global: { scrape_interval: string };
  scrape_configs: ScrapeConfig[];
};

/** The variable that sets each job's metrics port in the compose file's environment. */
const METRICS_PORT_ENV: Record<string, string> = { api: 'PORT', worker: 'WORKER_METRICS_PORT', relay: 'RELAY_METRICS_PORT' };

const DATASOURCES_DIR = 'deploy/grafana/provisioning/datasources';
const DASHBOARD_PROVIDERS_DIR = 'deploy/grafana/provisioning/dashboards';
const DASHBOARDS_DIR = 'deploy/grafana/dashboards';
const yamlFiles = (dir: string) => readdirSync(`${ROOT}${dir}`).filter((f) => /\.ya?ml$/.test(f));

interface Datasource {
  name: string;
  uid: string;
  type: string;
  url: string;
  isDefault?: boolean;
  jsonData?: { timeInterval?: string };
}
const datasources = yamlFiles(DATASOURCES_DIR).flatMap(
  (file) => (parse(read(`${DATASOURCES_DIR}/${file}`)) as { datasources: Datasource[] }).datasources,
);
const providers = yamlFiles(DASHBOARD_PROVIDERS_DIR).flatMap(
  (file) => (parse(read(`${DASHBOARD_PROVIDERS_DIR}/${file}`)) as { providers: { type: string; options: { path: string } }[] }).providers,
);

interface Target {
  refId: string;
  expr: string;
  datasource?: { type?: string; uid?: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type?: string; uid?: string };
  targets?: Target[];
  panels?: Panel[];
}
interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
}
const dashboardFiles = readdirSync(`${ROOT}${DASHBOARDS_DIR}`).filter((f) => f.endsWith('.json'));
const dashboards = dashboardFiles.map((file) => ({ file, dashboard: JSON.parse(read(`${DASHBOARDS_DIR}/${file}`)) as Dashboard }));
const allPanels = (panels: Panel[]): Panel[] => panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);
const queries = dashboards.flatMap(({ file, dashboard }) =>
  allPanels(dashboard.panels).flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({ where: `${file}: ${panel.title}`, expr: target.expr })),
  ),
);

// ---------------------------------------------------------------------------------------
// Just enough of PromQL to check a dashboard's queries without promtool.

/** Functions and aggregations the dashboards may call; anything else is a typo or needs adding here on purpose. */
const FUNCTIONS = new Set([
  'rate', 'irate', 'increase', 'delta', 'deriv',
  'sum', 'max', 'min', 'avg', 'count', 'topk', 'bottomk', 'quantile',
  'histogram_quantile', 'max_over_time', 'min_over_time', 'avg_over_time',
  'clamp_min', 'clamp_max', 'abs', 'time', 'vector', 'scalar',
]); // prettier-ignore
/** Functions over a counter's (or a histogram series') increase: the only sound way to use one. */
const COUNTER_FUNCTIONS = new Set(['rate', 'irate', 'increase']);
/** Words followed by a list of label names, not an expression. */
const LABEL_LIST_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
const OPERATOR_KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset']);
/** Labels Prometheus attaches to every series it scrapes, and histograms' bucket bound. */
const TARGET_LABELS = ['job', 'instance'];

type Token = { kind: 'ident' | 'string' | 'number' | 'variable' | 'punct'; text: string };

function tokenize(expr: string): Token[] {
  const patterns: [Token['kind'], RegExp][] = [
    ['string', /^"(?:[^"\\]|\\.)*"|^'(?:[^'\\]|\\.)*'|^`[^`]*`/],
    ['variable', /^\$(?:\{[a-zA-Z_][a-zA-Z0-9_]*\}|[a-zA-Z_][a-zA-Z0-9_]*)/],
    ['number', /^[0-9][0-9a-zA-Z.]*/],
    ['ident', /^[a-zA-Z_:][a-zA-Z0-9_:]*/],
    ['punct', /^(?:=~|!~|!=|==|>=|<=|[-+*/%^<>=(){}[\],])/],
  ];
  const tokens: Token[] = [];
  let rest = expr.trim();
  while (rest.length > 0) {
    const match = patterns.map(([kind, re]) => [kind, re.exec(rest)?.[0]] as const).find(([, text]) => text !== undefined);
    if (!match) throw new Error(`cannot read PromQL at "${rest.slice(0, 20)}" in ${expr}`);
    tokens.push({ kind: match[0], text: match[1]! });
    rest = rest.slice(match[1]!.length).trimStart();
  }
  return tokens;
}

interface Analysis {
  functions: string[];
  /** Each series selector: its name, the function right around it, and its matchers' labels. */
  series: { name: string; within: string | undefined; matcherLabels: string[] }[];
  /** Labels named in by/without/on/ignoring lists. */
  groupingLabels: string[];
}

/** Reads one expression; throws on unbalanced or mismatched brackets. */
function analyse(expr: string): Analysis {
  const tokens = tokenize(expr);
  const closing: Record<string, string> = { '(': ')', '{': '}', '[': ']' };
  type Frame = { open: string; role: 'call' | 'group' | 'labels' | 'matchers' | 'range'; fn?: string };
  const stack: Frame[] = [];
  const result: Analysis = { functions: [], series: [], groupingLabels: [] };
  const enclosingFunction = () => [...stack].reverse().find((frame) => frame.role === 'call')?.fn;
  /** `sum by (x) (…)`: the aggregation whose argument opens right after its label list. */
  let aggregationAfterLabels: string | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const previous = tokens[i - 1];
    const next = tokens[i + 1];
    const top = stack.at(-1);
    const pendingAggregation = aggregationAfterLabels;
    aggregationAfterLabels = undefined;
    if (token.kind === 'punct' && token.text in closing) {
      if (token.text === '{') stack.push({ open: '{', role: 'matchers' });
      else if (token.text === '[') stack.push({ open: '[', role: 'range' });
      else if (pendingAggregation) stack.push({ open: '(', role: 'call', fn: pendingAggregation });
      else if (previous?.kind === 'ident' && LABEL_LIST_KEYWORDS.has(previous.text)) {
        const aggregation = tokens[i - 2];
        stack.push({ open: '(', role: 'labels', ...(aggregation?.kind === 'ident' ? { fn: aggregation.text } : {}) });
      } else if (previous?.kind === 'ident') stack.push({ open: '(', role: 'call', fn: previous.text });
      else stack.push({ open: '(', role: 'group' });
      continue;
    }
    if (token.kind === 'punct' && Object.values(closing).includes(token.text)) {
      const frame = stack.pop();
      if (!frame || closing[frame.open] !== token.text) throw new Error(`unbalanced "${token.text}" in ${expr}`);
      if (frame.role === 'labels' && frame.fn) aggregationAfterLabels = frame.fn;
      continue;
    }
    if (token.kind !== 'ident') continue;
    if (top?.role === 'labels') result.groupingLabels.push(token.text);
    else if (top?.role === 'matchers') {
      // A label name, matched against a string; the series it belongs to was read before the brace.
      const selector = result.series.at(-1);
      if (selector) selector.matcherLabels.push(token.text);
    } else if (LABEL_LIST_KEYWORDS.has(token.text) || OPERATOR_KEYWORDS.has(token.text)) {
      continue;
    } else if (next?.text === '(' || (next?.kind === 'ident' && (next.text === 'by' || next.text === 'without'))) {
      result.functions.push(token.text);
    } else result.series.push({ name: token.text, within: enclosingFunction(), matcherLabels: [] });
  }
  if (stack.length > 0) throw new Error(`unclosed "${stack.at(-1)!.open}" in ${expr}`);
  return result;
}

const HISTOGRAM_SUFFIX = /_(bucket|sum|count)$/;

/** The metric a scraped series belongs to (a histogram's `_bucket` → the histogram), and its suffix. */
function metricOf(series: string): { metric: string; definition?: MetricDefinition; suffix?: string } {
  const known = PLATFORM_METRICS as Record<string, MetricDefinition>;
  if (known[series]) return { metric: series, definition: known[series] };
  const suffix = HISTOGRAM_SUFFIX.exec(series)?.[1];
  const base = series.replace(HISTOGRAM_SUFFIX, '');
  const definition = known[base];
  return definition?.type === 'histogram' ? { metric: base, definition, suffix } : { metric: series };
}

// ---------------------------------------------------------------------------------------

describe('the PromQL reader these checks rely on', () => {
  it('finds functions, series, the function around each and the labels', () => {
    const a = analyse(
      'histogram_quantile(0.99, sum by (route, le) (rate(http_request_duration_seconds_bucket{job="api"}[$__rate_interval])))',
    );
    expect(a.functions).toEqual(['histogram_quantile', 'sum', 'rate']);
    expect(a.series).toEqual([{ name: 'http_request_duration_seconds_bucket', within: 'rate', matcherLabels: ['job'] }]);
    expect(a.groupingLabels).toEqual(['route', 'le']);
    expect(analyse('sum(x{state="total"}) - sum(x{state="idle"}) > bool 0').series.map((s) => s.within)).toEqual(['sum', 'sum']);
    const prefix = analyse('sum by (saga) (rate(saga_started_total[5m])) / max without (instance) (up)');
    expect(prefix.functions).toEqual(['sum', 'rate', 'max']);
    expect(prefix.series.map((s) => [s.name, s.within])).toEqual([
      ['saga_started_total', 'rate'],
      ['up', 'max'],
    ]);
    expect(prefix.groupingLabels).toEqual(['saga', 'instance']);
    expect(analyse('sum(rate(x_total[5m])) by (job)').series[0]?.within).toBe('rate');
  });

  it('refuses unbalanced or mismatched brackets', () => {
    expect(() => analyse('sum(rate(x[5m])')).toThrow(/unclosed/);
    expect(() => analyse('sum(rate(x[5m)))')).toThrow(/unbalanced/);
    expect(() => analyse('max(x})')).toThrow(/unbalanced/);
  });

  it('maps histogram series to their histogram, and nothing else', () => {
    expect(metricOf('saga_duration_seconds_bucket')).toMatchObject({ metric: 'saga_duration_seconds', suffix: 'bucket' });
    expect(metricOf('saga_started_total')).toMatchObject({ metric: 'saga_started_total' });
    expect(metricOf('outbox_backlog_messages_count').definition).toBeUndefined();
  });
});

describe('docker-compose.yml: prometheus and grafana', () => {
  it('runs both from pinned images, with health checks', () => {
    for (const name of ['prometheus', 'grafana']) {
      expect(services[name]?.image, name).toMatch(/^[a-z/]+:v?\d+\.\d+\.\d+$/);
      expect(services[name]?.healthcheck?.test, name).toBeDefined();
    }
    expect(services.prometheus?.image).toMatch(/^prom\/prometheus:/);
    expect(services.grafana?.image).toMatch(/^grafana\/grafana:/);
  });

  it('mounts only files and folders that exist in the repository', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const { source } of bindMounts(service)) expect(existsSync(`${ROOT}${source}`), `${name}: ${source}`).toBe(true);
    }
  });

  it('publishes Prometheus on 9090 and Grafana on 3001, the API keeping 3000', () => {
    expect(services.prometheus?.ports).toEqual(['9090:9090']);
    expect(services.grafana?.ports).toEqual(['3001:3000']);
    expect(services.api?.ports).toContain('3000:3000');
  });

  it('gives Prometheus the repository config', () => {
    const command = services.prometheus?.command as string[];
    expect(command).toContain(`--config.file=${mountTarget(services.prometheus!, 'deploy/prometheus/prometheus.yml')}`);
    expect(statSync(`${ROOT}deploy/prometheus/prometheus.yml`).isFile()).toBe(true);
  });

  it('lets anonymous visitors view Grafana, and takes the admin password from the environment', () => {
    const env = services.grafana?.environment ?? {};
    expect(env.GF_AUTH_ANONYMOUS_ENABLED).toBe('true');
    expect(env.GF_AUTH_ANONYMOUS_ORG_ROLE).toBe('Viewer');
    expect(String(env.GF_SECURITY_ADMIN_PASSWORD)).toMatch(/^\$\{GRAFANA_ADMIN_PASSWORD:-.+\}$/);
    expect(services.grafana?.depends_on?.prometheus?.condition).toBe('service_healthy');
  });

  it('mounts the provisioning folders where Grafana reads them, and the dashboards where the provider looks', () => {
    const grafana = services.grafana!;
    expect(mountTarget(grafana, DATASOURCES_DIR)).toBe('/etc/grafana/provisioning/datasources');
    expect(mountTarget(grafana, DASHBOARD_PROVIDERS_DIR)).toBe('/etc/grafana/provisioning/dashboards');
    const dashboardsTarget = mountTarget(grafana, DASHBOARDS_DIR);
    expect(providers.length).toBeGreaterThan(0);
    for (const provider of providers) {
      expect(provider.type).toBe('file');
      expect(provider.options.path).toBe(dashboardsTarget);
    }
    const home = String(grafana.environment?.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH);
    expect(home.startsWith(`${dashboardsTarget}/`), home).toBe(true);
    expect(existsSync(`${ROOT}${DASHBOARDS_DIR}/${home.slice(dashboardsTarget.length + 1)}`), home).toBe(true);
  });
});

describe('deploy/prometheus/prometheus.yml', () => {
  it('scrapes exactly the api, the worker and the relay', () => {
    expect(prometheusConfig.scrape_configs.map((c) => c.job_name).sort()).toEqual(['api', 'relay', 'worker']);
  });

  it("scrapes each process's /metrics on the port the compose file gives that process", () => {
    for (const scrape of prometheusConfig.scrape_configs) {
      const job = scrape.job_name;
      const targets = scrape.static_configs.flatMap((c) => c.targets);
      const service = services[job];
      const port = service?.environment?.[METRICS_PORT_ENV[job]!];
      expect(port, `${job}: ${METRICS_PORT_ENV[job]}`).toBeDefined();
      expect(targets, job).toEqual([`${job}:${port}`]);
      expect(scrape.metrics_path ?? '/metrics', job).toBe('/metrics');
    }
  });

  it('finds the worker and relay ports exposed, and their health checks on that endpoint', () => {
    for (const job of ['worker', 'relay']) {
      const service = services[job]!;
      const variable = METRICS_PORT_ENV[job]!;
      expect((service.expose ?? []).map(String), job).toContain(String(service.environment?.[variable]));
      const test = [service.healthcheck?.test ?? []].flat().join(' ');
      expect(test, job).toContain(`process.env.${variable}`);
      expect(test, job).toContain('/metrics');
    }
  });
});

describe('deploy/grafana/provisioning', () => {
  it('has one Prometheus datasource, pointed at the compose service, at its scrape interval', () => {
    const prometheus = datasources.filter((d) => d.type === 'prometheus');
    expect(prometheus).toHaveLength(1);
    const [datasource] = prometheus;
    expect(datasource!.uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
    const url = new URL(datasource!.url);
    expect(services[url.hostname], url.hostname).toBeDefined();
    const containerPorts = (services.prometheus?.ports ?? []).map((p) => p.split(':').at(-1));
    expect(containerPorts).toContain(url.port);
    expect(datasource!.jsonData?.timeInterval).toBe(prometheusConfig.global.scrape_interval);
  });
});

describe('deploy/grafana/dashboards', () => {
  const uid = datasources.find((d) => d.type === 'prometheus')!.uid;

  it('holds valid dashboards: a uid, a schema version, panels with unique ids on the grid', () => {
    expect(dashboardFiles).toContain('platform.json');
    for (const { file, dashboard } of dashboards) {
      expect(dashboard.uid, file).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
      expect(dashboard.title, file).toBeTruthy();
      expect(Number.isInteger(dashboard.schemaVersion) && dashboard.schemaVersion >= 36, file).toBe(true);
      const panels = allPanels(dashboard.panels);
      expect(panels.length, file).toBeGreaterThan(0);
      expect(new Set(panels.map((p) => p.id)).size, file).toBe(panels.length);
      for (const { title, gridPos: g } of panels) {
        expect(g, title).toBeDefined();
        expect(g.x >= 0 && g.y >= 0 && g.w > 0 && g.h > 0 && g.x + g.w <= 24, `${title}: ${JSON.stringify(g)}`).toBe(true);
      }
      // Overlapping panels are moved by Grafana on load, which is not the layout written here.
      for (const [i, a] of panels.entries()) {
        for (const b of panels.slice(i + 1)) {
          const overlap =
            a.gridPos.x < b.gridPos.x + b.gridPos.w &&
            b.gridPos.x < a.gridPos.x + a.gridPos.w &&
            a.gridPos.y < b.gridPos.y + b.gridPos.h &&
            b.gridPos.y < a.gridPos.y + a.gridPos.h;
          expect(overlap, `${a.title} / ${b.title}`).toBe(false);
        }
      }
    }
  });

  it('queries the provisioned datasource by its uid in every panel and target', () => {
    for (const { file, dashboard } of dashboards) {
      for (const panel of allPanels(dashboard.panels).filter((p) => p.type !== 'row')) {
        const where = `${file}: ${panel.title}`;
        expect(panel.datasource, where).toEqual({ type: 'prometheus', uid });
        expect(panel.targets?.length, where).toBeGreaterThan(0);
        expect(new Set(panel.targets!.map((t) => t.refId)).size, where).toBe(panel.targets!.length);
        for (const target of panel.targets!) {
          expect(target.datasource?.uid ?? uid, where).toBe(uid);
          expect(target.expr.trim(), where).not.toBe('');
        }
      }
    }
  });

  it('writes well-formed PromQL with known functions only', () => {
    expect(queries.length).toBeGreaterThan(0);
    for (const { where, expr } of queries) {
      const { functions } = analyse(expr);
      for (const fn of functions) expect(FUNCTIONS.has(fn), `${where}: ${fn}() in ${expr}`).toBe(true);
    }
  });

  it('names only metrics the platform exposes (test/support/platform-metrics.ts) or Prometheus makes', () => {
    for (const { where, expr } of queries) {
      for (const { name } of analyse(expr).series) {
        const known = metricOf(name).definition !== undefined || (PROMETHEUS_SERIES as readonly string[]).includes(name);
        expect(known, `${where}: ${name}`).toBe(true);
      }
    }
  });

  it('takes rates of counters and histograms, and never of gauges', () => {
    for (const { where, expr } of queries) {
      for (const { name, within } of analyse(expr).series) {
        const { definition, suffix } = metricOf(name);
        if (!definition) continue;
        if (definition.type === 'histogram') expect(suffix, `${where}: ${name} is a histogram`).toBeDefined();
        const cumulative = definition.type === 'counter' || definition.type === 'histogram';
        expect(COUNTER_FUNCTIONS.has(within ?? ''), `${where}: ${name} inside ${within ?? 'nothing'}()`).toBe(cumulative);
      }
    }
  });

  it('computes quantiles from buckets summed by le', () => {
    for (const { where, expr } of queries) {
      const { functions, series, groupingLabels } = analyse(expr);
      const buckets = series.filter((s) => s.name.endsWith('_bucket'));
      expect(functions.includes('histogram_quantile'), `${where}: ${expr}`).toBe(buckets.length > 0);
      if (buckets.length > 0) expect(groupingLabels, `${where}: ${expr}`).toContain('le');
    }
  });

  it('groups and filters only by labels the queried metrics carry', () => {
    for (const { where, expr } of queries) {
      const { series, groupingLabels } = analyse(expr);
      const labelsOf = (name: string) => {
        const { definition, suffix } = metricOf(name);
        return [...(definition?.labels ?? []), ...TARGET_LABELS, ...(suffix === 'bucket' ? ['le'] : [])];
      };
      for (const s of series)
        for (const label of s.matcherLabels) expect(labelsOf(s.name), `${where}: ${s.name}{${label}}`).toContain(label);
      const available = new Set(series.flatMap((s) => labelsOf(s.name)));
      for (const label of groupingLabels) expect(available.has(label), `${where}: by (${label}) in ${expr}`).toBe(true);
    }
  });

  it("shows every one of the platform's own metrics somewhere", () => {
    const used = new Set(queries.flatMap(({ expr }) => analyse(expr).series.map((s) => metricOf(s.name).metric)));
    const own = Object.entries(PLATFORM_METRICS as Record<string, MetricDefinition>).filter(([, d]) => !d.source);
    for (const [name] of own) expect(used.has(name), name).toBe(true);
  });
});

describe('test/support/platform-metrics.ts', () => {
  it("lists prom-client's default metrics as prom-client makes them", async () => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    const defaults = new Map((await registry.getMetricsAsJSON()).map((m) => [m.name, String(m.type)]));
    for (const [name, definition] of Object.entries(PLATFORM_METRICS as Record<string, MetricDefinition>)) {
      if (definition.source !== 'prom-client-defaults') continue;
      expect(defaults.get(name), name).toBe(definition.type);
    }
  });

  it('names counters with _total and histograms without a series suffix', () => {
    for (const [name, definition] of Object.entries(PLATFORM_METRICS as Record<string, MetricDefinition>)) {
      if (definition.source === 'temporal-sdk') continue;
      expect(name.endsWith('_total'), name).toBe(definition.type === 'counter');
      if (definition.type === 'histogram') expect(HISTOGRAM_SUFFIX.test(name), name).toBe(false);
    }
  });
});
