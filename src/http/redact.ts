/** Hides credentials carried in a URL's query (`?token=`, `?api_key=`) before it is logged. */
export function redactUrl(url: string): string {
  return url.replace(/([?&](?:token|access_token|api_key)=)[^&#]*/gi, '$1[redacted]');
}
