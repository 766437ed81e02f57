using Embever.Actors.Devices;
using Embever.Actors.Storage.Index;

namespace Embever.Actors.Api.Auth;

/// <summary>
/// Visibility of objects that belong to a device (actions, events, updates): the caller's
/// organisation, and for an application token only devices linked to its application.
/// </summary>
public static class DeviceScope
{
    /// <summary>The list filter for rows with <c>organisation_id</c> and <c>device_id</c> columns.</summary>
    public static Filter For(Caller caller)
    {
        var filter = new Filter().Equal("organisation_id", caller.Organisation.ToString());
        if (caller.ApplicationId is { } application)
        {
            filter.Raw(
                "device_id IN (SELECT id FROM devices WHERE organisation_id = @scope_organisation AND application_id = @scope_application)",
                ("scope_organisation", caller.Organisation.ToString()),
                ("scope_application", application.ToString()));
        }

        return filter;
    }

    /// <summary>Whether the caller sees an object of this organisation's device (which may be deleted).</summary>
    public static async Task<bool> CanSeeAsync(Caller caller, Guid organisationId, string deviceId, DeviceIndex devices)
    {
        if (caller.IsOperator || caller.OrganisationId != organisationId)
        {
            return false;
        }

        if (caller.ApplicationId is null)
        {
            return true;
        }

        return await devices.GetAsync(deviceId) is { } device && caller.CanSee(device);
    }
}
