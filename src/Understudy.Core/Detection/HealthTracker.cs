namespace Understudy.Core.Detection;

public enum Health { Unknown, Up, Down }

/// <summary>
/// Fall/rise hysteresis, as HAProxy counts it: <c>fall</c> failures in a row mark a member down,
/// <c>rise</c> successes in a row bring a down member back. A member never seen before is up
/// after its first success (there is no flapping to guard against yet).
/// </summary>
/// <remarks>
/// A passive failure (the proxy could not connect) counts, but never completes the fall on its own:
/// the count stops one short, so only an active check can confirm a member down and one refused
/// connect alone never fails anything over.
/// </remarks>
public readonly record struct HealthTracker(Health Health, int Failures, int Successes)
{
    public static readonly HealthTracker Initial = new(Health.Unknown, 0, 0);

    public HealthTracker Observe(bool ok, CheckOrigin origin, int fall, int rise)
    {
        if (ok)
        {
            int successes = Successes + 1;
            bool up = Health == Health.Up || Health == Health.Unknown || successes >= rise;
            return new HealthTracker(up ? Health.Up : Health, 0, up ? 0 : successes);
        }

        int failures = Failures + 1;
        if (origin == CheckOrigin.Passive) failures = Math.Min(failures, Math.Max(fall - 1, 0));
        bool down = Health == Health.Down || (origin == CheckOrigin.Active && failures >= fall);
        return new HealthTracker(down ? Health.Down : Health, down ? 0 : failures, 0);
    }

    /// <summary>Active checks still needed to confirm a fall from the current count.</summary>
    public int ChecksToConfirmDown(int fall) => Math.Max(fall - Failures, 1);
}
