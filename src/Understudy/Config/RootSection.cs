using System.Collections.Immutable;
using Understudy.Core.Topology;
using YamlDotNet.RepresentationModel;

namespace Understudy.Config;

/// <summary>The top of the file: <c>controller</c>, <c>services</c>, <c>alerts</c>, <c>sites</c> and <c>drills</c>, then the checks that span services.</summary>
internal static class RootSection
{
    private static readonly KeySet Keys = new(["controller", "services", "alerts", "sites", "drills"]);

    public static UnderstudySpec? Read(ConfigReader reader, YamlMappingNode root)
    {
        ConfigMapping top = ConfigMapping.Read(reader, root, "", Keys);
        var addresses = new AddressBook();
        ControllerSpec? controller = ControllerSection.Read(top, addresses);
        ImmutableArray<ServiceSpec>? services = ServicesSection.Read(top, addresses);
        ImmutableArray<AlertChannelSpec>? alerts = AlertsSection.Read(top);
        ImmutableArray<SiteSpec>? sites = SitesSection.Read(top, services);
        ImmutableArray<DrillScheduleSpec>? drills = DrillsSection.Read(top, controller, services);
        addresses.CheckListens(reader);
        // Without tokens every caller is "operator": distinct approvers could never be told apart.
        if (controller is { AuthTokens.IsEmpty: true } && services is { } read)
            foreach (ServiceSpec s in read.Where(s => s.Failover.Approvals > 0))
                reader.Error(top.KeyNode("services"), $"services.{s.Name}.failover.approvals",
                    $"{s.Failover.Approvals} {(s.Failover.Approvals == 1 ? "approval needs" : "approvals need")} controller.auth.tokens, so that each approver is a named person");
        // One controller decides on its own checks: a quorum above one could never be met.
        if (controller is { Coordination: null } && services is { } alone)
            foreach (ServiceSpec s in alone.Where(s => s.Failover.Quorum > 1))
                reader.Error(top.KeyNode("services"), $"services.{s.Name}.failover.quorum",
                    $"a quorum of {s.Failover.Quorum} instances needs controller.coordination (several controllers); a single controller decides alone");
                // A site operation's approvals are given by named people, as a service's are.
        if (controller is { AuthTokens.IsEmpty: true } && sites is { } declared && services is { } known)
            foreach (SiteSpec site in declared.Where(s => s.ApprovalsNeeded(known) > 0 && s.Approvals is > 0))
                reader.Error(top.KeyNode("sites"), $"sites.{site.Name}.approvals",
                    $"{site.Approvals} {(site.Approvals == 1 ? "approval needs" : "approvals need")} controller.auth.tokens, so that each approver is a named person");
        return controller is not null && services is { } all && alerts is { } channels && sites is { } siteList && drills is { } schedules && reader.ErrorCount == 0
            ? new UnderstudySpec(controller, all, channels, siteList, schedules) : null;
    }
}
