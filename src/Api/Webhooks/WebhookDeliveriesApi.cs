using System.Globalization;
using Embever.Actors.Api.Auth;
using Embever.Actors.Api.Http;
using Embever.Actors.Devices;
using Embever.Actors.Webhooks;
using Microsoft.Extensions.Options;

namespace Embever.Actors.Api.Webhooks;

/// <summary>
/// <c>/v2/webhook-deliveries/</c> (an addition): every delivery with its attempts and last error,
/// and <c>POST …/{id}/retry/</c> to queue a failed one again.
/// </summary>
public static class WebhookDeliveriesApi
{
    public static IEndpointRouteBuilder MapWebhookDeliveriesApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v2/webhook-deliveries").WithTags("Webhook deliveries").RequireAuthorization().ForTenants();
        group.MapGet("/", List).RequireRateLimiting(ListRateLimit.Policy).WithListQuery<DeliveryListParameters>(incremental: true)
            .WithName("listWebhookDeliveries").WithSummary("List webhook deliveries")
            .WithDescription("Filter with `status` (pending, delivered, failed), `device`, `action` and `deployment`. Each shows its attempts, last error and next attempt. A deployment's deliveries are shown to organisation tokens only.");
        group.MapGet("/{id}/", Get)
            .WithName("getWebhookDelivery").WithSummary("Get a webhook delivery")
            .WithDescription("Where it goes, what fired it, and how its attempts went.");
        group.MapPost("/{id}/retry/", Retry)
            .WithName("retryWebhookDelivery").WithSummary("Try a failed delivery again")
            .WithDescription("Puts a failed delivery back in the queue with a fresh horizon; 409 unless it failed.");
        return routes;
    }

    private static Task<Results<Ok<List<DeliveryResource>>, ValidationProblem>> List(
        [AsParameters] DeliveryListParameters filters, Caller caller, HttpContext context, WebhookOutbox outbox) =>
        Paging.ListAsync(context, filters.ToQuery(caller.Scope), outbox.ListAsync, d => DeliveryResource.From(context, d));

    private static async Task<Results<Ok<DeliveryResource>, NotFoundProblem>> Get(string id, Caller caller, HttpContext context, WebhookOutbox outbox, DeviceIndex devices) =>
        await Find(id, caller, outbox, devices) is { } view ? TypedResults.Ok(DeliveryResource.From(context, view)) : Problems.NotFound();

    private static async Task<Results<Ok<DeliveryResource>, NotFoundProblem, ConflictProblem>> Retry(
        string id, Caller caller, HttpContext context, WebhookOutbox outbox, DeviceIndex devices, IOptions<WebhookOptions> options, TimeProvider time)
    {
        if (await Find(id, caller, outbox, devices) is not { } view)
        {
            return Problems.NotFound();
        }

        if (!await outbox.RetryAsync(view.Id, time.GetUtcNow().UtcDateTime, options.Value.Horizon))
        {
            return Problems.Conflict($"Only a failed delivery can be retried; this one is {view.Status}.");
        }

        return TypedResults.Ok(DeliveryResource.From(context, (await outbox.GetAsync(view.Id))!));
    }

    /// <summary>The delivery of a <c>/{id}/</c> route, if the caller may see it: every 404 of deliveries comes from here.</summary>
    private static async Task<DeliveryView?> Find(string id, Caller caller, WebhookOutbox outbox, DeviceIndex devices) =>
        long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var deliveryId)
        && await outbox.GetAsync(deliveryId) is { } view
        && (view.DeviceId is { } device
            ? await caller.CanSeeAsync(view.OrganisationId, device, devices)
            : caller.ApplicationId is null && caller.CanSeeOrganisation(view.OrganisationId))
            ? view
            : null;
}
