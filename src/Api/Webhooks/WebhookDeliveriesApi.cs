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
        group.MapGet("/", List).Produces<List<DeliveryResource>>()
            .WithName("listWebhookDeliveries").WithSummary("List webhook deliveries")
            .WithDescription("Filter with `status` (pending, delivered, failed), `device` and `action`. Each shows its attempts, last error and next attempt.");
        group.MapGet("/{id}/", Get).Produces<DeliveryResource>().ProducesProblem(404)
            .WithName("getWebhookDelivery").WithSummary("Get a webhook delivery")
            .WithDescription("Where it goes, what fired it, and how its attempts went.");
        group.MapPost("/{id}/retry/", Retry).Produces<DeliveryResource>().ProducesProblem(404).ProducesProblem(409)
            .WithName("retryWebhookDelivery").WithSummary("Try a failed delivery again")
            .WithDescription("Puts a failed delivery back in the queue with a fresh horizon; 409 unless it failed.");
        return routes;
    }

    private static async Task<IResult> List(HttpContext context, WebhookOutbox outbox)
    {
        var parameters = context.Request.Query;
        long? action = null;
        if (parameters.TryGetValue("action", out var actionText))
        {
            // An action id that cannot exist matches nothing: an empty list, not an error.
            action = long.TryParse(actionText, NumberStyles.None, CultureInfo.InvariantCulture, out var actionId) ? actionId : -1;
        }

        var query = new DeliveryQuery(context.GetCaller().Scope, parameters["status"], parameters["device"], action);
        return await Paging.ListAsync(context, page => outbox.ListAsync(query, page), d => DeliveryResource.From(context, d));
    }

    private static async Task<IResult> Get(HttpContext context, string id, WebhookOutbox outbox, DeviceIndex devices)
    {
        var view = await Visible(context, id, outbox, devices);
        return view is null ? Problems.NotFound() : TypedResults.Ok(DeliveryResource.From(context, view));
    }

    private static async Task<IResult> Retry(HttpContext context, string id, WebhookOutbox outbox, DeviceIndex devices, IOptions<WebhookOptions> options, TimeProvider time)
    {
        var view = await Visible(context, id, outbox, devices);
        if (view is null)
        {
            return Problems.NotFound();
        }

        if (!await outbox.RetryAsync(view.Id, time.GetUtcNow().UtcDateTime, options.Value.Horizon))
        {
            return Problems.Conflict($"Only a failed delivery can be retried; this one is {view.Status}.");
        }

        return TypedResults.Ok(DeliveryResource.From(context, (await outbox.GetAsync(view.Id))!));
    }

    private static async Task<DeliveryView?> Visible(HttpContext context, string id, WebhookOutbox outbox, DeviceIndex devices) =>
        long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var deliveryId)
        && await outbox.GetAsync(deliveryId) is { } view
        && await context.GetCaller().CanSeeAsync(view.OrganisationId, view.DeviceId, devices)
            ? view
            : null;
}
