using System.Security.Claims;
using CommerceManager.Data;
using CommerceManager.Security;
using CommerceManager.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CommerceManager.Tests.Infrastructure;

/// <summary>
/// The app's real services over a fresh, migrated SQLite file of their own: what the tests exercise is what
/// runs in production, with no mocked EF.
/// </summary>
public sealed class TestServices : IAsyncDisposable
{
    private readonly TestStore store;

    public ServiceProvider Provider { get; }

    private TestServices(TestStore store, ServiceProvider provider)
    {
        this.store = store;
        Provider = provider;
    }

    /// <param name="postgres">On PostgreSQL whatever this run's default (tests of PostgreSQL itself).</param>
    public static async Task<TestServices> CreateAsync(Action<IServiceCollection>? configure = null, bool postgres = false)
    {
        var store = postgres ? TestStore.CreatePostgres() : TestStore.Create();
        var config = new ConfigurationBuilder().AddInMemoryCollection(store.Settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(config);
        services.AddCommerceManager(config, store.Directory);
        configure?.Invoke(services);
        var provider = services.BuildServiceProvider();
        await using var db = await provider.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        await DatabaseSetup.MigrateAsync(db, provider.GetRequiredService<SqlDialect>());
        return new TestServices(store, provider);
    }

    public T Get<T>() where T : notnull => Provider.GetRequiredService<T>();

    public async Task<AppDbContext> DbAsync() => await Get<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();

    public async ValueTask DisposeAsync()
    {
        await Provider.DisposeAsync();
        await store.DisposeAsync();
    }
}

public static class As
{
    public static ClaimsPrincipal Role(string role, string name = "staff@example.com") =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.NameIdentifier, name), new Claim(ClaimTypes.Role, role)], "test"));

    public static ClaimsPrincipal Admin => Role(Roles.Admin, "admin@example.com");
    public static ClaimsPrincipal Representative => Role(Roles.Representative, "rep@example.com");
    public static ClaimsPrincipal Viewer => Role(Roles.Viewer, "viewer@example.com");
    public static ClaimsPrincipal Anonymous => new(new ClaimsIdentity());
}
