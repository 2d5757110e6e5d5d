using System.Security.Cryptography;

namespace Understudy.Drills;

/// <summary>
/// What a production drill's approval is bound to: the SHA-256 of the drill file as written (before <c>${NAME}</c> is
/// replaced), lowercase hex. One place, so the CLI that asks and the controller that checks a schedule always agree.
/// </summary>
public static class DrillFileDigest
{
    public static async Task<string> OfAsync(string path, CancellationToken ct) =>
        Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(path, ct)));
}
