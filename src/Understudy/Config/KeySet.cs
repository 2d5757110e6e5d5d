namespace Understudy.Config;

/// <summary>
/// The keys a mapping accepts, and keys it knows but refuses with the message they get instead: those
/// DESIGN.md plans for later, and those another kind of service takes (<see cref="KindKeySet"/>), so a user
/// who copies a future example or another kind's section learns why it fails instead of reading "unknown key".
/// </summary>
internal sealed record KeySet(IReadOnlyList<string> Accepted, IReadOnlyDictionary<string, string>? Later = null)
{
    public string? LaterMessage(string key) => Later?.GetValueOrDefault(key);

    public string Unknown(string key)
    {
        string list = NodeText.List(Accepted);
        string? near = Accepted.FirstOrDefault(a => Loose(a) == Loose(key));
        return near is null ? $"unknown key (accepted: {list})" : $"unknown key; did you mean '{near}'? (accepted: {list})";
    }

    // "expectStatus", "Expect-Status" and "expect_status" are the same word written differently.
    private static string Loose(string key) => new(key.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());
}
