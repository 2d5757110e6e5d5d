using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;

namespace Understudy.Traffic.Resp;

/// <summary>
/// Redis synchronous mode: relays one client connection to the primary command by command, and after each batch of
/// write commands sends <c>WAIT 1 &lt;timeout&gt;</c> on the same server connection; the replies to those writes (and
/// everything after them, to keep order) reach the client only once the WAIT says a replica has them. Pipelining keeps
/// its batches; inside MULTI the WAIT follows EXEC; RESP3 push frames pass straight through; after SUBSCRIBE the
/// connection is relayed byte for byte (a subscriber sends no writes); <c>CLIENT REPLY OFF|SKIP</c> gets an error
/// (a reply the client never reads could not be held). When no replica acknowledges within the timeout the writes are
/// released anyway and counted as unprotected, unless <paramref name="strict"/>: then it waits again until one does.
/// When the decider last saw no replica online (<paramref name="noReplica"/>, never in strict mode) it stops waiting.
/// </summary>
internal sealed class SynchronousPump(RespCommandTable table, bool strict, TimeSpan waitTimeout, Func<bool> noReplica, Action unprotected)
{
    private enum Awaited { Reply, Write, Wait, Refused, Subscribe }

    private const string RefusedReply = "-ERR CLIENT REPLY OFF|SKIP is refused in Understudy's synchronous mode: every reply is held until a replica has the write\r\n";
    private static readonly byte[] Placeholder = RespFrames.Command("PING");

    private readonly Queue<Awaited> _expected = new();
    private readonly SemaphoreSlim _upstreamWrites = new(1, 1);
    private byte[] Wait => RespFrames.Command("WAIT", "1", ((long)waitTimeout.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture));

    // Only the client → server loop touches these: what the batch being read expects, and the transaction state.
    private readonly List<Awaited> _batch = [];
    private bool _inMulti, _multiWrites, _pendingWrites, _commandsRaw, _resp3;

    /// <summary>Client → server: classify each command, add WAITs, pass the bytes on.</summary>
    public async Task ToServerAsync(PipeReader from, NetworkStream to)
    {
        while (true)
        {
            ReadResult read = await from.ReadAsync();
            ReadOnlySequence<byte> buffer = read.Buffer;
            var batch = new ArrayBufferWriter<byte>();
            SequencePosition consumed = buffer.End;
            if (_commandsRaw) Append(batch, buffer);
            else consumed = Classify(buffer, batch);
            if (batch.WrittenCount > 0)
                await SendAsync(to, batch.WrittenMemory, () => { lock (_expected) foreach (Awaited k in _batch) _expected.Enqueue(k); });
            _batch.Clear();
            from.AdvanceTo(consumed, buffer.End);
            if (read.IsCompleted || read.IsCanceled) return;
        }
    }

    private SequencePosition Classify(ReadOnlySequence<byte> buffer, ArrayBufferWriter<byte> batch)
    {
        var reader = new SequenceReader<byte>(buffer);
        while (!_commandsRaw)
        {
            SequencePosition start = reader.Position;
            if (!RespFrames.TryReadCommand(ref reader, out string[] words)) break;
            ReadOnlySequence<byte> command = buffer.Slice(start, reader.Position);
            if (words.Length == 0) { Append(batch, command); continue; } // an empty inline line: no reply comes
            switch (words[0])
            {
                case "CLIENT" when words.Length == 3 && words[1] == "REPLY" && words[2] is "OFF" or "SKIP":
                    // Answered in order by a PING's place in the stream, its +PONG replaced with the error.
                    Expect(batch, Awaited.Refused, Placeholder);
                    continue;
                case "MULTI":
                    FlushWait(batch); // writes before the transaction are acknowledged before it starts
                    _inMulti = true;
                    _multiWrites = false;
                    break;
                case "EXEC" or "DISCARD" when _inMulti:
                    _inMulti = false;
                    Expect(batch, words[0] == "EXEC" && _multiWrites ? Awaited.Write : Awaited.Reply, command);
                    continue;
                case "HELLO":
                    _resp3 = words.Length > 1 && words[1] == "3";
                    break;
                case "SUBSCRIBE" or "PSUBSCRIBE" or "SSUBSCRIBE" or "UNSUBSCRIBE" or "PUNSUBSCRIBE" or "SUNSUBSCRIBE" when _resp3:
                    // RESP3: the answers are push frames, which pass straight through, and the connection stays usable.
                    Append(batch, command);
                    continue;
                case "SUBSCRIBE" or "PSUBSCRIBE" or "SSUBSCRIBE" or "UNSUBSCRIBE" or "PUNSUBSCRIBE" or "SUNSUBSCRIBE" or "MONITOR" when !_inMulti:
                    // RESP2: one reply per channel, then messages nobody asked for (MONITOR too): relayed byte for byte from here on.
                    FlushWait(batch);
                    Expect(batch, Awaited.Subscribe, command);
                    _commandsRaw = true;
                    Append(batch, buffer.Slice(reader.Position));
                    return buffer.End;
            }
            bool write = table.IsWrite(words[0]);
            if (_inMulti) _multiWrites |= write;
            Expect(batch, write && !_inMulti ? Awaited.Write : Awaited.Reply, command);
        }
        if (!_inMulti) FlushWait(batch);
        return reader.Position;
    }

    private void Expect(ArrayBufferWriter<byte> batch, Awaited kind, ReadOnlySequence<byte> command)
    {
        // No replica left (non-strict): nothing would answer a WAIT, so the write is passed on like any command, and counted.
        if (kind == Awaited.Write && noReplica())
        {
            unprotected();
            kind = Awaited.Reply;
        }
        _batch.Add(kind);
        if (kind == Awaited.Write) _pendingWrites = true;
        Append(batch, command);
    }

    private void Expect(ArrayBufferWriter<byte> batch, Awaited kind, byte[] command) => Expect(batch, kind, new ReadOnlySequence<byte>(command));

    private void FlushWait(ArrayBufferWriter<byte> batch)
    {
        if (!_pendingWrites) return;
        _pendingWrites = false;
        Expect(batch, Awaited.Wait, Wait);
    }

    /// <summary>Server → client: pass replies on, holding those of writes until their WAIT answers.</summary>
    public async Task ToClientAsync(PipeReader from, PipeWriter to, NetworkStream upstream, Action<int> counted)
    {
        while (true)
        {
            ReadResult read = await from.ReadAsync();
            ReadOnlySequence<byte> buffer = read.Buffer;
            SequencePosition consumed = Relay(buffer, to, out int waitAgain);
            for (int i = 0; i < waitAgain; i++)
                await SendAsync(upstream, Wait, () => { lock (_expected) _expected.Enqueue(Awaited.Wait); });
            counted((int)buffer.Slice(buffer.Start, consumed).Length);
            from.AdvanceTo(consumed, buffer.End);
            FlushResult flushed = await to.FlushAsync();
            if (read.IsCompleted || read.IsCanceled || flushed.IsCompleted || flushed.IsCanceled) return;
        }
    }

    // Only the server → client loop touches these.
    private readonly ArrayBufferWriter<byte> _held = new();
    private bool _holding, _repliesRaw;

    /// <summary>The whole frames of <paramref name="buffer"/>, passed on or held; how many WAITs to send again (strict mode).</summary>
    private SequencePosition Relay(ReadOnlySequence<byte> buffer, PipeWriter to, out int waitAgain)
    {
        waitAgain = 0;
        if (_repliesRaw)
        {
            Append(to, buffer);
            return buffer.End;
        }
        var reader = new SequenceReader<byte>(buffer);
        while (true)
        {
            SequencePosition start = reader.Position;
            if (!RespFrames.TrySkip(ref reader, out byte type)) break;
            ReadOnlySequence<byte> frame = buffer.Slice(start, reader.Position);
            if (type == (byte)'>') { Append(to, frame); continue; } // a RESP3 push is no reply to any command
            Awaited kind;
            lock (_expected)
            {
                if (!_expected.TryDequeue(out kind)) throw new InvalidDataException("the server sent a reply to no command");
            }
            switch (kind)
            {
                case Awaited.Reply:
                    Append(_holding ? _held : to, frame);
                    break;
                case Awaited.Write:
                    Append(_held, frame);
                    _holding = true;
                    break;
                case Awaited.Refused:
                    Append(_holding ? _held : to, new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(RefusedReply)));
                    break;
                case Awaited.Subscribe:
                    Append(to, frame);
                    _repliesRaw = true;
                    Append(to, buffer.Slice(reader.Position));
                    return buffer.End;
                case Awaited.Wait:
                    long? replicas = RespFrames.Integer(frame) ?? throw new InvalidDataException($"WAIT was refused: {Encoding.UTF8.GetString(frame).TrimEnd()}");
                    if (replicas == 0 && strict)
                    {
                        waitAgain++; // held until a replica has them: wait again, behind whatever the client sent since
                        break;
                    }
                    if (replicas == 0) unprotected();
                    to.Write(_held.WrittenSpan);
                    _held.ResetWrittenCount();
                    _holding = false;
                    break;
            }
        }
        return reader.Position;
    }

    /// <summary>
    /// What the queue expects and the order bytes reach the server must agree: both loops enqueue and send under one
    /// lock, so a WAIT sent again never slips between a batch's entries and its bytes.
    /// </summary>
    private async Task SendAsync(NetworkStream to, ReadOnlyMemory<byte> bytes, Action enqueue)
    {
        await _upstreamWrites.WaitAsync();
        try
        {
            enqueue();
            await to.WriteAsync(bytes);
        }
        finally { _upstreamWrites.Release(); }
    }

    private static void Append(IBufferWriter<byte> to, ReadOnlySequence<byte> bytes)
    {
        foreach (ReadOnlyMemory<byte> segment in bytes) to.Write(segment.Span);
    }
}
