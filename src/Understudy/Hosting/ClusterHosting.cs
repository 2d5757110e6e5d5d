using Understudy.Checks;
using Understudy.Cluster;
using Understudy.Commands;
using Understudy.Coordination;
using Understudy.Core.Topology;
using Understudy.Failover;
using Understudy.Journal;
using Understudy.Metrics;

namespace Understudy.Hosting;

/// <summary>
/// How the controller is put together: alone (its SQLite journal is the log; it always decides) or as one
/// instance of a cluster on etcd (the shared log; it decides only while it leads, and its journal mirrors the log).
/// </summary>
internal static class ClusterHosting
{
    public static void AddAlone(this IServiceCollection services, UnderstudySpec spec, StartingPoint start, SqliteJournal journal, TimeProvider time)
    {
        services.AddSingleton(sp => new RuntimeFactory(new JournalServiceLog(sp.GetRequiredService<IJournal>()), sp.GetRequiredService<CommandRunner>(), time,
            sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<ControllerMetrics>(), sp.GetRequiredService<StallWatch>(),
            sp.GetRequiredService<LoopTicker>()));
        services.AddSingleton(sp =>
        {
            var factory = sp.GetRequiredService<RuntimeFactory>();
            var controller = new Controller([.. start.States.Select(s => factory.Create(s))], factory.Log, sp.GetRequiredService<IHostApplicationLifetime>(), time,
                new Core.Failover.StateRebuilt(Controller.Version, Environment.ProcessId))
            {
                Leading = why => sp.GetRequiredService<Sites.SiteOperations>().Lead(why),
            };
            sp.GetRequiredService<StallWatch>().Journal(() => controller.Services);
            return controller;
        });
        services.AddSingleton<ConfigReloader>();
        services.AddSingleton<IClusterState>(sp =>
        {
            var controller = sp.GetRequiredService<Controller>();
            return new SingleInstance(spec.Controller.Name, spec.Controller.Api.ToString(),
                () => controller.Services.ToDictionary(s => s.Spec.Name, s => s.Loop.State.Epoch), time);
        });
        services.AddHostedService(sp => sp.GetRequiredService<Controller>());
        services.AddSingleton(journal);
        services.AddHostedService<JournalWatch>();
        services.AddHostedService(sp => new EpochMarkerWriter(new EpochMarker(journal.Path), start.States.ToDictionary(s => s.Name, s => s.Epoch),
            sp.GetRequiredService<JournalFeed>(), sp.GetRequiredService<ILogger<EpochMarkerWriter>>()));
    }

    public static void AddCluster(this IServiceCollection services, UnderstudySpec spec, CoordinationSpec co, StartingPoint start, SqliteJournal journal, TimeProvider time)
    {
        // gRPC's first calls waited for the thread pool to grow (0.5–1 s on two cores), longer than a call's deadline:
        // a few threads more from the start let the first lease and catch-up happen at once.
        ThreadPool.GetMinThreads(out int workers, out int io);
        ThreadPool.SetMinThreads(Math.Max(workers, 16), io);
        ServiceDigest digest = ServiceDigest.Of(spec);
        services.AddSingleton(sp => new EtcdStore(co, time, sp.GetRequiredService<ILogger<EtcdStore>>()));
        services.AddSingleton(sp => new InstancePresence(sp.GetRequiredService<EtcdStore>(),
            new InstanceInfo(spec.Controller.Name, spec.Controller.Api.ToString(), Controller.Version, digest.Sha256, spec.Controller.Tls is not null), co.Lease, time,
            sp.GetRequiredService<ILogger<InstancePresence>>()));
        services.AddSingleton(sp => new LeaderElection(sp.GetRequiredService<EtcdStore>(), sp.GetRequiredService<InstancePresence>(), time,
            sp.GetRequiredService<ILogger<LeaderElection>>()));
        services.AddSingleton(sp => new EpochAcks(sp.GetRequiredService<EtcdStore>(), sp.GetRequiredService<InstancePresence>()));
        services.AddSingleton(sp => new ClusterEpochs(sp.GetRequiredService<EpochAcks>(), sp.GetRequiredService<InstancePresence>(), co.Lease, time,
            sp.GetRequiredService<ILogger<ClusterEpochs>>()));
        services.AddSingleton(sp => new PeerClient(co.Lease / 4, sp.GetRequiredService<Api.ApiTrust>()));
        services.AddSingleton(sp =>
        {
            var log = new SharedLog(sp.GetRequiredService<EtcdStore>(), sp.GetRequiredService<LeaderElection>(), journal, sp.GetRequiredService<JournalFeed>(),
                spec.Controller.Name, sp.GetRequiredService<ILogger<SharedLog>>());
            log.StartNotesAfter(start.NoteSeq);
            return log;
        });
        services.AddSingleton(sp =>
        {
            var epochs = sp.GetRequiredService<ClusterEpochs>();
            // An instance knows nothing of its peers until it has read them: no failover on its own checks alone meanwhile.
            var runtimes = start.States.Select(s => s with { Eyes = Core.Failover.PeerViews.Unknown(spec.Controller.Name) }).Select(s =>
            {
                var r = ServiceRuntime.Create(s, sp.GetRequiredService<SharedLog>(), sp.GetRequiredService<CommandRunner>(), time, sp.GetRequiredService<ILoggerFactory>(),
                    sp.GetRequiredService<ControllerMetrics>().CheckEnded, LoopRole.Follower, start.Positions.GetValueOrDefault(s.Name), epochs,
                    sp.GetRequiredService<StallWatch>(), sp.GetRequiredService<LoopTicker>());
                r.Loop.EpochAdvanced = (before, after) => epochs.Advanced(r.Proxy, before, after);
                r.PassiveSeen = result => sp.GetRequiredService<ClusterSuspicions>().Tell(s.Name, result);
                r.Loop.Published = (before, after) => sp.GetRequiredService<ClusterViews>().Published(before, after);
                return r;
            }).ToList();
            sp.GetRequiredService<StallWatch>().Journal(() => runtimes);
            return new Controller(runtimes, sp.GetRequiredService<SharedLog>(), sp.GetRequiredService<IHostApplicationLifetime>(), time, start: null);
        });
        services.AddSingleton(sp => new ClusterSuspicions(sp.GetRequiredService<EtcdStore>(), sp.GetRequiredService<InstancePresence>(), spec.Controller.Name,
            sp.GetRequiredService<ILogger<ClusterSuspicions>>()));
        services.AddSingleton(sp => new ClusterViews(sp.GetRequiredService<EtcdStore>(), sp.GetRequiredService<InstancePresence>(),
            sp.GetRequiredService<ClusterSuspicions>(), spec.Controller.Name, sp.GetRequiredService<Controller>().Services.ToDictionary(s => s.Spec.Name),
            time, sp.GetRequiredService<ILogger<ClusterViews>>()));
        services.AddSingleton(sp =>
        {
            var follower = new LogFollower(sp.GetRequiredService<EtcdStore>(), journal, sp.GetRequiredService<JournalFeed>(),
                sp.GetRequiredService<Controller>().Services.ToDictionary(s => s.Spec.Name, s => s.Loop), time, sp.GetRequiredService<ILogger<LogFollower>>())
            {
                Instance = spec.Controller.Name,
                ViewChanged = change => sp.GetRequiredService<ClusterViews>().Changed(change),
            };
            sp.GetRequiredService<SharedLog>().Follower = follower;
            return follower;
        });
        services.AddSingleton(sp => new ClusterRouting(sp.GetRequiredService<Controller>().Services, sp.GetRequiredService<InstancePresence>(),
            sp.GetRequiredService<PeerClient>(), co.Lease, sp.GetRequiredService<JournalFeed>(), sp.GetRequiredService<SharedLog>(), time,
            sp.GetRequiredService<ILogger<ClusterRouting>>())
        {
            CaughtUp = () => sp.GetRequiredService<LogFollower>().CaughtUp,
        });
        services.AddSingleton(sp =>
        {
            var node = new ClusterNode(spec.Controller, co, sp.GetRequiredService<Controller>().Services, sp.GetRequiredService<EtcdStore>(),
                sp.GetRequiredService<InstancePresence>(), sp.GetRequiredService<LeaderElection>(), sp.GetRequiredService<LogFollower>(),
                sp.GetRequiredService<ClusterRouting>(), sp.GetRequiredService<ClusterViews>(), digest, journal, sp.GetRequiredService<JournalFeed>(), sp.GetRequiredService<IHostApplicationLifetime>(), time,
                sp.GetRequiredService<ILogger<ClusterNode>>());
            sp.GetRequiredService<SharedLog>().StepDown = node.StepDownAsync;
            node.Leading = why => sp.GetRequiredService<Sites.SiteOperations>().Lead(why);
            node.Following = () => sp.GetRequiredService<Sites.SiteOperations>().Follow();
            sp.GetRequiredService<StallWatch>().Stalled += node.Stalled;
            return node;
        });
        services.AddSingleton<IClusterState>(sp => sp.GetRequiredService<ClusterNode>());
        // The controller starts its loops first (as followers); the node then joins the cluster. At stop the node
        // resigns first, so another instance leads at once.
        services.AddHostedService(sp => sp.GetRequiredService<Controller>());
        services.AddHostedService(sp => sp.GetRequiredService<ClusterNode>());
    }
}
