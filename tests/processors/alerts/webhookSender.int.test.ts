import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { sendWebhook, signWebhookBody } from '../../../src/processors/alerts/webhookSender.js';
import { redactUserSecrets } from '../../../src/processors/relay/redactUserSecrets.js';
import { webhookReceiver } from './notifierTestBed.js';

const request = (url: string, timeoutMs = 2_000) => ({
  url,
  headers: {},
  body: '{"event":"AlertFired"}',
  signingSecret: 'whsec-0123456789abcdef',
  deliveryId: 'd-1',
  event: 'AlertFired',
  timeoutMs,
  now: new Date('2026-03-01T09:00:00.000Z'),
});

describe('webhook sender', () => {
  it('signs "<timestamp>.<body>" with HMAC-SHA256 as sha256=<hex>, the timestamp in Unix seconds', () => {
    const expected = createHmac('sha256', 'key').update('1772355600.{"a":1}').digest('hex');
    expect(signWebhookBody('key', 1_772_355_600, '{"a":1}')).toBe(`sha256=${expected}`);
  });

  it('given a 2xx answer, then it is delivered, with the signature of the timestamp it sent', async () => {
    const receiver = await webhookReceiver([204]);
    try {
      expect(await sendWebhook(request(receiver.url))).toEqual({ ok: true, statusCode: 204 });
      const [{ headers, body }] = receiver.received as [{ headers: Record<string, string>; body: string }];
      expect(headers['x-tributary-timestamp']).toBe('1772355600');
      expect(headers['x-tributary-signature']).toBe(
        signWebhookBody('whsec-0123456789abcdef', 1_772_355_600, body),
      );
      expect(headers['x-tributary-event']).toBe('AlertFired');
    } finally {
      await receiver.close();
    }
  });

  it('given a 429 with Retry-After, then it may be retried after that long; a 404 may not be retried', async () => {
    const server = createServer((_request, response) => {
      response.statusCode = 429;
      response.setHeader('retry-after', '3');
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const receiver = await webhookReceiver([404]);
    try {
      expect(await sendWebhook(request(`http://127.0.0.1:${port}/`))).toEqual({
        ok: false,
        statusCode: 429,
        error: 'answered 429',
        retryable: true,
        retryAfterMs: 3_000,
      });
      expect(await sendWebhook(request(receiver.url))).toEqual({
        ok: false,
        statusCode: 404,
        error: 'answered 404',
        retryable: false,
        retryAfterMs: null,
      });
    } finally {
      await new Promise((resolve) => server.close(resolve));
      await receiver.close();
    }
  });

  it('given a receiver that never answers, or nothing listening, then the attempt fails as retryable', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      expect(await sendWebhook(request(`http://127.0.0.1:${port}/`, 200))).toEqual({
        ok: false,
        statusCode: null,
        error: 'no answer within 200 ms',
        retryable: true,
        retryAfterMs: null,
      });
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
    expect(await sendWebhook(request(`http://127.0.0.1:${port}/`))).toMatchObject({
      ok: false,
      statusCode: null,
      error: expect.stringMatching(/^could not connect/),
      retryable: true,
    });
  });
});

describe('relay redaction of notification channels', () => {
  it('replaces a channel event’s signing secret before it leaves for tributary.events, and keeps the rest', () => {
    const secret = {
      alg: 'AES-256-GCM',
      keyId: 'k1',
      iv: 'AAECAwQFBgcICQoL',
      tag: 'AAECAwQFBgcICQoLDA0ODw==',
      ciphertext: 'eA==',
    };
    const data = {
      channelId: 'ch-1',
      kind: 'webhook',
      name: 'Hook',
      url: 'https://x.example',
      headers: {},
      signingSecret: secret,
    };
    const event = {
      id: 'e-1',
      streamId: 'notificationchannel-ch-1',
      revision: 0,
      position: 1,
      type: 'NotificationChannelCreated',
      data,
      metadata: {},
      recordedAt: new Date(),
    };
    expect(redactUserSecrets(event).data).toEqual({ ...data, signingSecret: '[redacted]' });
  });
});
