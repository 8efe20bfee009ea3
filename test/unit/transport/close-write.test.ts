// TlsStream.closeWrite(): half-close that resolves once close_notify reached the channel; the
// channel is released as soon as both close_notifys have crossed, whichever went first.
import { describe, expect, it } from 'vitest';
import { streamPair } from '../../../src/testing/memory.js';
import { fromUtf8, utf8 } from '../../../src/util/bytes.js';
import { FakeConnection } from './fake.js';

describe('TlsStream.closeWrite', () => {
  it('we close first: reading goes on; the peer closing releases both channels', async () => {
    const { client, server, channels } = streamPair(new FakeConnection('client'), new FakeConnection('server'));
    await client.handshake();
    await client.closeWrite();
    expect(client.connection.closed).toBe(true);
    expect(channels[0].closed).toBe(false);
    expect(await server.read()).toBeNull();
    await server.write(utf8('after your close_notify'));
    expect(fromUtf8((await client.read())!)).toBe('after your close_notify');
    await server.closeWrite(); // the peer answers: both crossed
    expect(await client.read()).toBeNull();
    await client.finished;
    await new Promise((r) => setTimeout(r, 0));
    expect(channels[0].closed && channels[1].closed).toBe(true);
    await client.close(); // idempotent, immediate
  });

  it('the peer closed first: our closeWrite releases the channel', async () => {
    const { client, server, channels } = streamPair(new FakeConnection('client'), new FakeConnection('server'));
    await client.handshake();
    await server.closeWrite();
    expect(await client.read()).toBeNull();
    expect(channels[0].closed).toBe(false);
    await client.closeWrite();
    expect(channels[0].closed).toBe(true);
  });
});
