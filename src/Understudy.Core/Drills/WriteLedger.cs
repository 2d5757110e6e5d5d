namespace Understudy.Core.Drills;

/// <summary>RPO as clients see it: acknowledged writes that are not there when read back afterwards.</summary>
public static class WriteLedger
{
    /// <param name="acknowledged">Each write the server acknowledged, with when the acknowledgement arrived.</param>
    /// <param name="readBack">The sequence numbers present when read back after recovery.</param>
    public static WriteLoss Compare(IReadOnlyList<(long Seq, DateTimeOffset AckedAt)> acknowledged, IReadOnlySet<long> readBack)
    {
        var lost = acknowledged.Where(a => !readBack.Contains(a.Seq)).OrderBy(a => a.AckedAt).ToList();
        return new WriteLoss(acknowledged.Count, readBack.Count, lost.Count,
            lost.Count == 0 ? null : lost[0].AckedAt, lost.Count == 0 ? null : lost[^1].AckedAt);
    }
}
