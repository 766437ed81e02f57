# Embever Actors silo image: the platform (Orleans silo + HTTP) as a non-root process.
# Build: docker build -t embever-actors .   Run a cluster: docker compose up (see docs/operations.md).

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/Grains/Embever.Actors.Grains.csproj src/Grains/
COPY src/Api/Embever.Actors.Api.csproj src/Api/
COPY src/Silo/Embever.Actors.Silo.csproj src/Silo/
RUN dotnet restore src/Silo/Embever.Actors.Silo.csproj
COPY src/ src/
RUN dotnet publish src/Silo/Embever.Actors.Silo.csproj -c Release --no-restore -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app .
# The aspnet image's unprivileged user; the data directory is the only place it writes.
RUN mkdir -p /data && chown app:app /data
USER app
ENV Urls=http://+:8080 \
    Embever__DataDirectory=/data \
    DOTNET_gcServer=1
VOLUME /data
EXPOSE 8080 11111 30000 5684/udp
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD ["dotnet", "Embever.Actors.Silo.dll", "--healthcheck", "http://127.0.0.1:8080/health"]
ENTRYPOINT ["dotnet", "Embever.Actors.Silo.dll"]
