// The writer reads an encoded batch's JSON text back: as Latin-1 when it is ASCII (fast), else as
// UTF-8; either way the text must be exactly what was encoded.
import { describe, expect, it } from 'vitest';
import { batchText, encodeBatch } from '../../host/service/writer.js';
import type { LoggedEvent } from '../../host/service/events.js';

const event = (email: string, display = ''): LoggedEvent => ({ type: 'login', time: 1, evidence: 'authenticated', ids: [['email', email, display, 0]], id: `ev-${email}` });

describe('batchText', () => {
  it('gives back the encoded JSON of an ASCII batch and of one with other characters', () => {
    for (const events of [
      [event('ana@shop.bg'), event('bob@shop.bg', 'Bob@Shop.bg')],
      [event('ана@пример.бг'), event('é@x.fr'), event('😀@x.io')],
      [event('ana@shop.bg'), { ...event('x@y.bg'), traits: { name: 'Ĉ\u00ff\u0100' } }],
      [{ ...event('ana@shop.bg'), traits: { latin1: '\u00e9\u00ff' } }], // Latin-1 but not ASCII: must not be read as Latin-1 bytes
    ]) {
      const batch = encodeBatch('shop-a', events);
      expect(batchText(batch)).toBe(JSON.stringify(events));
      expect(JSON.parse(batchText(batch))).toEqual(events);
    }
  });

  it('reads a batch that is a view into a larger buffer', () => {
    const batch = encodeBatch('shop-a', [event('ana@shop.bg')]);
    const { json } = batch;
    const padded = new Uint8Array(json.length + 8);
    padded.set(json, 4);
    expect(batchText({ ...batch, json: padded.subarray(4, 4 + json.length) })).toBe(new TextDecoder().decode(json));
  });
});
