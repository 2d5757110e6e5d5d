using Understudy.Core.Failover;
using Understudy.Core.Journal;
using Understudy.Core.Topology;
using Understudy.Journal;

namespace Understudy.Hosting;

/// <summary>
/// Every service's state when the controller starts, folded from the journal before the host runs (blocking work
/// belongs here). A single controller folds its whole journal. A cluster member folds only what it mirrored of the
/// shared log — the journal it kept before it joined stays readable but is not the cluster's history — and notes
/// where it is in each service's log and in its own notes.
/// </summary>
public sealed record StartingPoint(IReadOnlyList<ServiceState> States, IReadOnlyDictionary<string, long> Positions, long NoteSeq)
{
    public static async Task<StartingPoint> ReadAsync(UnderstudySpec spec, SqliteJournal journal)
    {
        IReadOnlyList<JournalEvent> history = await journal.ReadAsync(new JournalQuery());
        var positions = new Dictionary<string, long>(StringComparer.Ordinal);
        long notes = 0;
        if (spec.Controller.Coordination is { } co)
        {
            var keys = new Coordination.EtcdKeys(co.Cluster);
            IReadOnlyDictionary<string, string> last = await journal.LastSourcesAsync();
            foreach (ServiceSpec s in spec.Services) positions[s.Name] = Coordination.EtcdKeys.SeqOf(last.GetValueOrDefault(keys.ServiceLog(s.Name)));
            notes = Coordination.EtcdKeys.SeqOf(last.GetValueOrDefault(keys.InstanceNotes(spec.Controller.Name)));
            history = await journal.ReadMirroredAsync(keys.Log);
        }
        var states = new List<ServiceState>();
        foreach (ServiceSpec service in spec.Services)
        {
            states.Add(ServiceFold.Rebuild(service, history, out string? error));
            if (error is not null) throw new StartupException($"{service.Name}: {error}");
        }
        return new StartingPoint(states, positions, notes);
    }
}
