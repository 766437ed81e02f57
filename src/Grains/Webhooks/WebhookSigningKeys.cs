using Embever.Actors.Applications;
using Embever.Actors.Organisations;

namespace Embever.Actors.Webhooks;

/// <summary>
/// One organisation's signing material, kept by its dispatcher: the organisation's secret and
/// its applications', asked of their grains once and then kept until the organisation or an
/// application says its secret changed (<see cref="Forget"/>), or the lifetime has passed. The
/// signed tokens themselves are kept for the second they were issued in (<c>iat</c> has whole
/// seconds), so a burst of deliveries signs once per second, not once per delivery.
/// </summary>
public sealed class WebhookSigningKeys(IGrainFactory grains, TimeProvider time, TimeSpan lifetime)
{
    private readonly Dictionary<Guid, SigningSecret?> applications = [];
    private readonly Dictionary<(string Claim, Guid Id), (long Second, string Token)> tokens = [];
    private SigningSecret? organisation;
    private bool organisationKnown;
    private DateTime fetchedAt;

    /// <summary>Counts <see cref="Forget"/>s, so that an answer asked for before one is not kept after it.</summary>
    private long generation;

    /// <summary>The <c>X-Org-Token</c> and <c>X-App-Token</c> values of a delivery (null: no secret to sign with).</summary>
    public async ValueTask<(string? Organisation, string? Application)> SignAsync(WebhookDispatch delivery)
    {
        var now = time.GetUtcNow().UtcDateTime;
        if (now - fetchedAt > lifetime)
        {
            Forget();
        }

        var asked = generation;
        var current = organisation;
        if (!organisationKnown)
        {
            current = await grains.GetGrain<IOrganisationGrain>(delivery.OrganisationId).GetSigningSecret();
            if (asked == generation)
            {
                (organisation, organisationKnown, fetchedAt) = (current, true, now);
            }
        }

        SigningSecret? application = null;
        if (delivery.ApplicationId is { } applicationId && !applications.TryGetValue(applicationId, out application))
        {
            application = await grains.GetGrain<IApplicationGrain>(applicationId).GetSigningSecret();
            if (asked == generation)
            {
                applications[applicationId] = application;
            }
        }

        return (
            current is null ? null : Token("organisation_id", delivery.OrganisationId, current, now),
            delivery.ApplicationId is { } id && application is not null ? Token("application_id", id, application, now) : null);
    }

    /// <summary>A secret changed: everything is asked for again.</summary>
    public void Forget()
    {
        generation++;
        organisation = null;
        organisationKnown = false;
        applications.Clear();
        tokens.Clear();
    }

    private string Token(string claim, Guid id, SigningSecret secret, DateTime now)
    {
        var second = new DateTimeOffset(now).ToUnixTimeSeconds();
        if (tokens.TryGetValue((claim, id), out var kept) && kept.Second == second)
        {
            return kept.Token;
        }

        var token = WebhookSignature.Sign(claim, id, secret.Secret, secret.LifespanInSeconds, now);
        tokens[(claim, id)] = (second, token);
        return token;
    }
}
