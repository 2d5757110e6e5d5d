namespace Understudy.Coordination;

/// <summary>Why an etcd call failed; see <see cref="CoordinationUnavailable"/>.</summary>
public enum CoordinationFailure
{
    /// <summary>No connection to any endpoint, or etcd answered that it cannot serve (no quorum, shutting down).</summary>
    Unreachable,

    /// <summary>No answer within the call's deadline (a paused, overloaded or cut-off etcd).</summary>
    Timeout,

    /// <summary>The lease the call named has expired or was revoked.</summary>
    LeaseNotFound,

    /// <summary>etcd refused the request itself: authentication, permission, a malformed request.</summary>
    Refused,
}

/// <summary>
/// The one exception the coordination primitives throw besides cancellation by their caller: etcd could not be
/// asked or did not say yes. Nothing may act on a decision whose commit ended so. A write that failed with
/// <see cref="CoordinationFailure.Unreachable"/> or <see cref="CoordinationFailure.Timeout"/> may still have been
/// applied: read back before assuming either way.
/// </summary>
public sealed class CoordinationUnavailable(CoordinationFailure failure, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public CoordinationFailure Failure => failure;
}
