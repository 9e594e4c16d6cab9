using System.Security.Claims;
using CommerceManager.Data;
using CommerceManager.Security;
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
    private readonly string directory;

    public ServiceProvider Provider { get; }

    private TestServices(string directory, ServiceProvider provider)
    {
        this.directory = directory;
        Provider = provider;
    }

    public static async Task<TestServices> CreateAsync(Action<IServiceCollection>? configure = null)
    {
        var directory = Directory.CreateTempSubdirectory("cm-tests-").FullName;
        var config = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Default"] = "Data Source=test.db" })
            .Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(config);
        services.AddDatabase(config, directory);
        services.AddStaffIdentity();
        services.AddCommerceServices();
        configure?.Invoke(services);
        var provider = services.BuildServiceProvider();
        await using var db = await provider.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        await DatabaseSetup.MigrateAsync(db);
        return new TestServices(directory, provider);
    }

    public T Get<T>() where T : notnull => Provider.GetRequiredService<T>();

    public async Task<AppDbContext> DbAsync() => await Get<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();

    public async ValueTask DisposeAsync()
    {
        await Provider.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open elsewhere only leaves a temp folder behind.
        }
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
