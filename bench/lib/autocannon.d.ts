// autocannon ships no types and @types/autocannon is not installed: just the part the harness uses.
declare module 'autocannon' {
  namespace autocannon {
    interface Options {
      url: string;
      connections?: number;
      duration?: number;
      timeout?: number;
      method?: string;
      headers?: Record<string, string>;
      requests?: { method?: string; path?: string; body?: string; setupRequest?: (req: any, context: any) => any }[];
      /** Called with each connection's client (an EventEmitter: 'response' per answer). */
      setupClient?: (client: any) => void;
    }
    interface Histogram {
      average: number;
      mean: number;
      max: number;
      total: number;
      p50: number;
      p90: number;
      p99: number;
    }
    interface Result {
      start: Date;
      finish: Date;
      requests: Histogram;
      latency: Histogram;
      errors: number;
      timeouts: number;
      non2xx: number;
      '2xx': number;
      statusCodeStats?: Record<string, { count: number }>;
    }
  }
  function autocannon(opts: autocannon.Options): Promise<autocannon.Result>;
  export default autocannon;
}
