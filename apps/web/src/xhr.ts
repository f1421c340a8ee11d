/**
 * XMLHttpRequest wrapped in a promise, because fetch() still cannot report upload progress in
 * browsers without streaming-request support, and the upload bar must show real bytes sent.
 */
export class NetworkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NetworkError';
  }
}

export type XhrResult = { status: number; body: unknown };

export function sendXhr(options: {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body: XMLHttpRequestBodyInit;
  onProgress?: (loaded: number) => void;
  timeoutMs?: number;
}): Promise<XhrResult> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(options.method, options.url);
    for (const [name, value] of Object.entries(options.headers ?? {})) xhr.setRequestHeader(name, value);
    xhr.setRequestHeader('accept', 'application/json');
    xhr.timeout = options.timeoutMs ?? 0;
    xhr.upload.onprogress = (event) => options.onProgress?.(event.loaded);
    xhr.onload = () => {
      let body: unknown;
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : undefined;
      } catch {
        body = undefined;
      }
      resolve({ status: xhr.status, body });
    };
    // Status 0: the connection dropped or never opened; the caller decides whether to resume.
    xhr.onerror = () => reject(new NetworkError('The connection to the server was lost'));
    xhr.ontimeout = () => reject(new NetworkError('The server took too long to answer'));
    xhr.onabort = () => reject(new NetworkError('The upload was interrupted'));
    xhr.send(options.body);
  });
}
