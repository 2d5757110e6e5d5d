using Understudy.Failover;

namespace Understudy.Tests.Failover;

/// <summary>A service loop's inbox: one reader at a time, in the order written, nothing lost, whoever starts the read.</summary>
public class LoopInboxTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);

    /// <summary>Records what it read, and fails the test if two reads ever overlap.</summary>
    private sealed class Reader
    {
        private int _inside;
        public List<(int Writer, int Seq)> Read { get; } = [];
        public bool Overlapped { get; private set; }

        public async Task HandleAsync((int Writer, int Seq) item)
        {
            if (Interlocked.Exchange(ref _inside, 1) != 0) Overlapped = true;
            if (item.Seq % 7 == 0) await Task.Yield(); // some reads end on another thread
            Read.Add(item);
            if (Interlocked.Exchange(ref _inside, 0) != 1) Overlapped = true;
        }
    }

    [Fact]
    public async Task TryWrite_ManyWritersSomeTogether_EachWritersOrderKeptOneReaderAtATimeNothingLost()
    {
        var reader = new Reader();
        var inbox = new LoopInbox<(int, int)>(reader.HandleAsync);
        inbox.TryWrite((-1, 0)); // before the run: read once it starts
        using var stop = new CancellationTokenSource();
        Task running = inbox.RunAsync(stop.Token);

        const int Writers = 4, Each = 2_000;
        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(() =>
        {
            for (int i = 0; i < Each; i++) Assert.True(inbox.TryWrite((w, i), together: i % 2 == 0));
        })));
        inbox.Complete();
        await running.WaitAsync(Limit);

        Assert.False(reader.Overlapped);
        Assert.Equal(1 + Writers * Each, reader.Read.Count);
        Assert.Equal((-1, 0), reader.Read[0]);
        for (int w = 0; w < Writers; w++) Assert.Equal(Enumerable.Range(0, Each), reader.Read.Where(r => r.Writer == w).Select(r => r.Seq));
    }

    [Fact]
    public async Task TryWrite_Together_ReadOnTheGridsThread()
    {
        var onGrid = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var inbox = new LoopInbox<int>(_ =>
        {
            onGrid.TrySetResult(Understudy.Checks.CheckGrid.IsCurrentThread);
            return Task.CompletedTask;
        });
        using var stop = new CancellationTokenSource();
        Task running = inbox.RunAsync(stop.Token);

        inbox.TryWrite(1, together: true);

        Assert.True(await onGrid.Task.WaitAsync(Limit));
        inbox.Complete();
        await running.WaitAsync(Limit);
    }

    [Fact]
    public async Task Complete_WritesAfterAreRefusedAndTheRunEndsOnceEmpty()
    {
        var reader = new Reader();
        var inbox = new LoopInbox<(int, int)>(reader.HandleAsync);
        inbox.TryWrite((0, 1));
        inbox.Complete();

        Assert.False(inbox.TryWrite((0, 2)));
        await inbox.RunAsync(CancellationToken.None).WaitAsync(Limit);
        Assert.Equal([(0, 1)], reader.Read);
    }

    [Fact]
    public async Task Complete_WhileWritersWrite_EveryWriteTakenIsRead()
    {
        for (int round = 0; round < 20; round++)
        {
            var reader = new Reader();
            var inbox = new LoopInbox<(int, int)>(reader.HandleAsync);
            Task running = inbox.RunAsync(CancellationToken.None);
            int[] taken = new int[4];
            Task[] writers = [.. Enumerable.Range(0, taken.Length).Select(w => Task.Run(() =>
            {
                for (int i = 0; i < 5_000 && inbox.TryWrite((w, i), together: i % 3 == 0); i++) taken[w]++;
            }))];
            // Completed at a different point of the writes each round: after some writes have been taken, not after a sleep.
            while (Volatile.Read(ref taken[round % taken.Length]) < round * 100 && !writers[round % taken.Length].IsCompleted) await Task.Yield();
            inbox.Complete();
            await Task.WhenAll(writers).WaitAsync(Limit);
            await running.WaitAsync(Limit);

            Assert.False(reader.Overlapped);
            Assert.Equal(taken.Sum(), reader.Read.Count);
        }
    }

    [Fact]
    public async Task RunAsync_AbortedWhileIdleOrBefore_Ends()
    {
        var inbox = new LoopInbox<int>(_ => Task.CompletedTask);
        using var abort = new CancellationTokenSource();
        Task running = inbox.RunAsync(abort.Token);
        inbox.TryWrite(1);
        await abort.CancelAsync();
        await running.WaitAsync(Limit);

        await new LoopInbox<int>(_ => Task.CompletedTask).RunAsync(abort.Token).WaitAsync(Limit);
    }

    [Fact]
    public async Task RunAsync_Aborted_EndsWithoutReadingTheRest()
    {
        var release = new TaskCompletionSource();
        var reading = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int read = 0;
        var inbox = new LoopInbox<int>(async _ =>
        {
            Interlocked.Increment(ref read);
            reading.TrySetResult();
            await release.Task;
        });
        using var abort = new CancellationTokenSource();
        Task running = inbox.RunAsync(abort.Token);
        inbox.TryWrite(1);
        inbox.TryWrite(2);
        await reading.Task.WaitAsync(Limit);

        await abort.CancelAsync();
        Assert.False(running.IsCompleted); // the message being read ends first
        release.SetResult();
        await running.WaitAsync(Limit);
        Assert.Equal(1, read);
    }

    [Fact]
    public async Task RunAsync_AHandlerThrows_TheRunEndsWithItsException()
    {
        var inbox = new LoopInbox<int>(i => i == 2 ? throw new InvalidOperationException("broken") : Task.CompletedTask);
        Task running = inbox.RunAsync(CancellationToken.None);
        inbox.TryWrite(1);
        inbox.TryWrite(2);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => running.WaitAsync(Limit));
        Assert.Equal("broken", e.Message);
        Assert.False(inbox.TryWrite(3)); // refused: nothing would read it
    }
}
