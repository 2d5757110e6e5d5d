using System.Security.Cryptography;
using Understudy.Core.Drills;

namespace Understudy.Drills.Network;

/// <summary>
/// The drill run's drops and loss on this host: one nft table, created by the first such fault. Each fault ends
/// after its duration (a timer here), at rollback (the table goes), or, if this process dies first, when nft
/// expires its element. The table is deleted as soon as no fault in it is in force.
/// </summary>
public sealed class HostFirewall(TimeProvider time)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly HashSet<int> _inForce = [];
    private int _faults;

    public string Table { get; } = NftRuleset.TableName(Environment.ProcessId, RandomNumberGenerator.GetHexString(8, lowercase: true));

    /// <summary>Whether any fault was applied in this run, so rollback reports on the table.</summary>
    public bool Used => _faults > 0;

    /// <summary>Whether the table is (as far as this run knows) still in nft's ruleset.</summary>
    public bool Present { get; private set; }

    /// <summary>Applies the fault now; a timer ends it after its duration.</summary>
    public async Task ApplyAsync(NetworkFault fault, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            int number = _faults + 1;
            await NftHost.RunAsync(NftRuleset.Add(Table, number, fault));
            _faults = number;
            Present = true;
            _inForce.Add(number);
            _ = EndAfterAsync(number, fault.Duration);
        }
        finally { _gate.Release(); }
    }

    /// <summary>Rollback: deletes the table if it is still there. False with nothing to do.</summary>
    public async Task<bool> RemoveAsync()
    {
        await _gate.WaitAsync();
        try
        {
            if (!Present) return false;
            await NftHost.RunAsync(NftRuleset.Delete(Table));
            Present = false;
            _inForce.Clear();
            return true;
        }
        finally { _gate.Release(); }
    }

    private async Task EndAfterAsync(int number, TimeSpan duration)
    {
        await Task.Delay(duration, time);
        await _gate.WaitAsync();
        try
        {
            // Rollback may have removed the whole table already.
            if (!_inForce.Remove(number)) return;
            bool last = _inForce.Count == 0;
            await NftHost.RunAsync(last ? NftRuleset.Delete(Table) : NftRuleset.End(Table, number));
            if (last) Present = false;
        }
        // Not fatal: the element expires a margin later, and rollback deletes the table again.
        catch (DrillException) { }
        finally { _gate.Release(); }
    }
}
