import { describe, it, expect } from 'vitest';
import { check, ApiError } from './api.js';

describe('check (the one API error of both pages)', () => {
  it('passes an ok response through', async () => {
    const res = new Response('{}', { status: 200 });
    expect(await check(res)).toBe(res);
  });

  it('throws the server message, status and body (a 422 with its source position)', async () => {
    const body = { error: 'editor.prototxt: unknown layer type "Zorblax" (line 5:3)', line: 5, column: 3 };
    const err = await check(new Response(JSON.stringify(body), { status: 422, statusText: 'Unprocessable Entity' })).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.message).toBe(body.error);
    expect(err.status).toBe(422);
    expect(err.body).toEqual(body);
  });

  it('keeps the status line when the body is not JSON', async () => {
    const err = await check(new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' })).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.message).toBe('502 Bad Gateway');
    expect(err.status).toBe(502);
    expect(err.body).toEqual({});
  });
});
