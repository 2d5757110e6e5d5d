using System.Diagnostics;

namespace Understudy.IntegrationTests.Fixtures;

/// <summary>Waits for a condition under a generous deadline instead of sleeping a fixed time.</summary>
public static class Eventually
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    public static async Task<T> GetAsync<T>(Func<Task<T?>> probe, string what, TimeSpan? within = null) where T : class
    {
        var sw = Stopwatch.StartNew();
        TimeSpan limit = within ?? Deadline;
        while (true)
        {
            if (await probe() is { } value) return value;
            if (sw.Elapsed > limit) throw new TimeoutException($"waited {limit.TotalSeconds:0} s for {what}");
            await Task.Delay(20);
        }
    }

    public static Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? within = null) =>
        GetAsync(async () => await condition() ? "" : null, what, within);

    public static Task TrueAsync(Func<bool> condition, string what, TimeSpan? within = null) =>
        TrueAsync(() => Task.FromResult(condition()), what, within);
}
