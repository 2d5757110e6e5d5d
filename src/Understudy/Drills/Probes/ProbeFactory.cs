using Understudy.Core.Drills;

namespace Understudy.Drills.Probes;

public static class ProbeFactory
{
    public static OpenLoopProbe Create(ProbeSpec spec, TimeProvider time) => spec.Kind switch
    {
        ProbeKind.Http => new HttpProbe(spec, time),
        ProbeKind.Tcp => new TcpProbe(spec, time),
        ProbeKind.HttpWrite => new HttpWriteProbe(spec, time),
        ProbeKind.SqlWrite => new SqlWriteProbe(spec, time),
        ProbeKind.RedisWrite => new RedisWriteProbe(spec, time),
        ProbeKind.Redis => new RedisProbe(spec, time),
        ProbeKind.Sql => new SqlReadProbe(spec, time),
        _ => throw new ArgumentOutOfRangeException(nameof(spec), spec.Kind, "no probe for this kind"),
    };
}
