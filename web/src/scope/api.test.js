import { describe, it, expect } from 'vitest';
import { freeInput, uploadRequest } from './api.js';
import { ApiError } from '../lib/api.js';

describe('freeInput', () => {
  it('reads the 422 of a file that leaves its input size open', () => {
    const err = new ApiError('open', 422, { error: 'x', input_free: { input: 'LR', shape: [3, -1, -1], suggest: [3, 224, 224] } });
    expect(freeInput(err)).toEqual({ input: 'LR', shape: '3×?×?', size: '3,224,224' });
  });
  it('is null for any other error', () => {
    expect(freeInput(new ApiError('bad', 422, { error: 'unknown layer' }))).toBeNull();
    expect(freeInput(new Error('network'))).toBeNull();
    expect(freeInput(undefined)).toBeNull();
  });
});

describe('uploadRequest', () => {
  it('sends the input size as ?input=', () => {
    const files = [new File(['{}'], 'model.json'), new File(['x'], 'a.bin')];
    const [url] = uploadRequest('/api/models', files, { input: '3,224,224' });
    expect(url).toBe('/api/models?input=3%2C224%2C224');
    const [url1] = uploadRequest('/api/models', files.slice(0, 1), { input: '' });
    expect(url1).toBe('/api/models?name=model.json');
  });
});
