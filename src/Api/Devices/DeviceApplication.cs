using Embever.Actors.Api.Auth;
using Embever.Actors.Api.Http;
using Embever.Actors.Applications;

namespace Embever.Actors.Api.Devices;

/// <summary>The application a device links to: one of the caller's organisation, and an application token's own.</summary>
public static class DeviceApplication
{
    public const string NoSuchApplication = "No such application in this organisation.";

    public static async Task CheckAsync(Guid? application, HttpContext context, FieldErrors errors)
    {
        var caller = context.GetCaller();
        if (caller.ApplicationId is { } scope && application != scope)
        {
            errors.Add("application", "An application token can only link devices to its own application.");
        }
        else if (application is { } id && !await IsTheCallersAsync(id, context))
        {
            errors.Add("application", NoSuchApplication);
        }
    }

    public static async Task<bool> IsTheCallersAsync(Guid application, HttpContext context) =>
        (await context.RequestServices.GetRequiredService<IGrainFactory>().GetGrain<IApplicationGrain>(application).Get())?.OrganisationId == context.GetCaller().Organisation;
}
