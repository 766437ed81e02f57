namespace Embever.Actors.Storage.Index;

/// <summary>
/// Whose objects a caller sees: one organisation's, and with an application token only the
/// application's devices and what belongs to them.
/// </summary>
public sealed record TenantScope(Guid OrganisationId, Guid? ApplicationId)
{
    /// <summary>The condition for rows with <c>organisation_id</c> and <c>device_id</c> columns (actions, events, updates, deliveries).</summary>
    internal Filter DeviceRows()
    {
        var filter = new Filter().Equal("organisation_id", OrganisationId.ToString());
        if (ApplicationId is { } application)
        {
            filter.Raw(
                "device_id IN (SELECT id FROM devices WHERE organisation_id = @scope_organisation AND application_id = @scope_application)",
                ("scope_organisation", OrganisationId.ToString()),
                ("scope_application", application.ToString()));
        }

        return filter;
    }

    /// <summary>The condition for the devices table itself.</summary>
    internal Filter Devices()
    {
        var filter = new Filter().Equal("organisation_id", OrganisationId.ToString());
        return ApplicationId is { } application ? filter.Equal("application_id", application.ToString()) : filter;
    }
}
