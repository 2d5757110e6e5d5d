namespace Understudy.Drills.Import;

/// <summary>One thing the importer could not carry over, or carried over differently, named by its place in the experiment.</summary>
/// <param name="Path">The JSON path in the experiment, e.g. <c>method[2]</c>.</param>
/// <param name="What">What is there, e.g. <c>python chaosk8s.pod.actions.terminate_pods</c>; null when the path says enough.</param>
public sealed record ImportNote(string Path, string? What, string Reason)
{
    public override string ToString() => What is null ? $"{Path}: {Reason}" : $"{Path} ({What}): {Reason}";
}

/// <summary>The notes of one import, each said once, in the order they were found.</summary>
internal sealed class ImportNotes
{
    private readonly List<ImportNote> _notes = [];

    public IReadOnlyList<ImportNote> All => _notes;

    public void Add(string path, string? what, string reason)
    {
        var note = new ImportNote(path, what, reason);
        if (!_notes.Contains(note)) _notes.Add(note);
    }

    public void NotConverted(string path, string? what, string why) => Add(path, what, $"not converted: {why}");
}
