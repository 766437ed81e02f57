namespace Embever.Actors.Device.Link;

/// <summary>The gateway refused a request, or did not answer.</summary>
public sealed class GatewayException(string message) : Exception(message);
