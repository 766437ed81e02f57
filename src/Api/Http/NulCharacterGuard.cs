namespace Embever.Actors.Api.Http;

/// <summary>
/// Text with a NUL character (<c>%00</c>, <c>\u0000</c>) cannot be stored in PostgreSQL and means
/// nothing in any field of this API: a path or query value that has one is refused here, before
/// routing (JSON bodies are checked by <see cref="JsonBody"/>).
/// </summary>
public static class NulCharacterGuard
{
    public static IApplicationBuilder UseNulCharacterGuard(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var request = context.Request;
        if (request.Path.Value?.Contains('\0') == true || request.Query.Any(q => q.Key.Contains('\0') || q.Value.Any(v => v?.Contains('\0') == true)))
        {
            await Problems.BadRequest("The path or query holds a NUL character.").ExecuteAsync(context);
            return;
        }

        await next(context);
    });
}
