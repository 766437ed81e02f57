using Embever.Actors.Api.Coap;
using Embever.Actors.Api.Coap.Dtls;
using Microsoft.Extensions.DependencyInjection;

namespace Embever.Actors.Tests.Infrastructure;

/// <summary>The CoAP gateway's URLs on a running platform (it takes free UDP ports in tests).</summary>
public static class CoapPorts
{
    public static Uri Secure(this PlatformInstance platform) => new($"coaps://127.0.0.1:{platform.Services.GetRequiredService<DtlsEndpoint>().Port}");

    public static Uri Plain(this PlatformInstance platform) => new($"coap://127.0.0.1:{platform.Services.GetRequiredService<PlainCoapEndpoint>().Port}");
}
