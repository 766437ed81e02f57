namespace Embever.Actors.Api.Http;

/// <summary><c>PATCH {"cancelled": true}</c>: the one writable field of actions and deployments.</summary>
public static class CancelPatch
{
    /// <summary>Whether to cancel; anything else in the body, or resuming a cancelled one, is a 400.</summary>
    public static async Task<(bool Cancel, IResult? Problem)> ReadAsync(HttpRequest request, bool alreadyCancelled, string what)
    {
        var (body, problem) = await JsonBody.ReadObjectAsync(request);
        if (problem is not null)
        {
            return (false, problem);
        }

        var fields = new JsonFields(body).Allow("cancelled");
        var cancelled = fields.Bool("cancelled", required: true);
        if (cancelled == false && alreadyCancelled)
        {
            fields.Error("cancelled", $"A cancelled {what} cannot be resumed; create a new one.");
        }

        return fields.IsValid ? (cancelled == true, null) : (false, fields.Problem());
    }
}
