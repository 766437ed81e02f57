using Embever.Actors.Silo.Hosting;

// One process: an Orleans silo and the HTTP front end (/v2 and the device gateway).
var app = EmbeverHost.Build(args);
await app.RunAsync();
