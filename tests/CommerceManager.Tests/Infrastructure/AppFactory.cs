using System.Collections.Concurrent;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using CommerceManager.Testing;

namespace CommerceManager.Tests.Infrastructure;

/// <summary>The whole app over its own SQLite file, started the way automation starts it: by configuration.</summary>
public class AppFactory : WebApplicationFactory<Program>
{
    public const string AdminEmail = "admin@test.example";
    public const string AdminPassword = "admin test password 1";
    public const string ApiClientId = "test-client-id";
    public const string ApiClientSecret = "test-client-secret-0123456789";

    private readonly TestStore store;
    private readonly bool ownsStore;

    public AppFactory() : this(TestStore.Create("cm-web-"), ownsStore: true)
    {
    }

    /// <summary>An app on <paramref name="store"/>; with <paramref name="ownsStore"/> false, several apps share one database.</summary>
    protected AppFactory(TestStore store, bool ownsStore)
    {
        this.store = store;
        this.ownsStore = ownsStore;
    }

    public ConcurrentQueue<string> Log { get; } = new();

    /// <summary>Where this app keeps its data.</summary>
    public TestStore Store => store;

    /// <summary>Where this app keeps its Data Protection keys.</summary>
    public string KeysPath => store.KeysPath;

    /// <summary>Service replacements, applied after the app's own registrations.</summary>
    protected virtual void ReplaceServices(IServiceCollection services) { }

    protected virtual string? BootstrapPassword => AdminPassword;

    /// <summary>Further settings, as environment variables would give them.</summary>
    protected virtual IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in store.Settings)
        {
            builder.UseSetting(key, value);
        }
        builder.UseSetting("Bootstrap:AdminEmail", AdminEmail);
        builder.UseSetting("Bootstrap:AdminPassword", BootstrapPassword ?? "");
        builder.UseSetting("Seed:DemoData", "false");
        builder.UseSetting("Bootstrap:ApiClientId", ApiClientId);
        builder.UseSetting("Bootstrap:ApiClientSecret", ApiClientSecret);
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureLogging(l => l.AddProvider(new QueueLoggerProvider(Log)));
        Microsoft.AspNetCore.TestHost.WebHostBuilderExtensions.ConfigureTestServices(builder, ReplaceServices);
    }

    public HttpClient CreateBrowserlessClient() => CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    /// <summary>Signs in through the real sign-in form (antiforgery token and all) and returns the response.</summary>
    public static async Task<HttpResponseMessage> PostLoginAsync(HttpClient client, string email, string password)
    {
        var page = await client.GetStringAsync("/Account/Login");
        var token = Regex.Match(page, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        return await client.PostAsync("/Account/Login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login",
            ["__RequestVerificationToken"] = token,
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        }));
    }

    public async Task<HttpClient> SignedInClientAsync(string email, string password)
    {
        var client = CreateBrowserlessClient();
        var response = await PostLoginAsync(client, email, password);
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"Sign-in of {email} failed: {(int)response.StatusCode}");
        }
        return client;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (ownsStore)
        {
            await store.DisposeAsync();
        }
        GC.SuppressFinalize(this);
    }

    private sealed class QueueLoggerProvider(ConcurrentQueue<string> queue) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new QueueLogger(queue);
        public void Dispose() { }
    }

    private sealed class QueueLogger(ConcurrentQueue<string> queue) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            queue.Enqueue(formatter(state, exception));
    }
}

/// <summary>Started with no admin password configured, as a first-time user would.</summary>
public sealed class AppFactoryWithoutAdminPassword : AppFactory
{
    protected override string? BootstrapPassword => null;
}

public static class StaffAccounts
{
    /// <summary>Creates a staff member with a role through the admin's own service.</summary>
    public static async Task CreateAsync(this AppFactory app, string email, string role, string password = "staff test password 1")
    {
        var staff = app.Services.GetRequiredService<CommerceManager.Staff.StaffService>();
        var result = await staff.CreateAsync(As.Admin, new CommerceManager.Staff.StaffInput { Email = email, DisplayName = email, Role = role, Password = password });
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(string.Join(" ", result.Errors.Select(e => e.Description)));
        }
    }
}

/// <summary>One of several app instances on the same database (a load-balanced deployment).</summary>
public sealed class AppInstance(TestStore store) : AppFactory(store, ownsStore: false);

/// <summary>One of several app instances on the same database, with further settings.</summary>
public sealed class AppInstanceWith(TestStore store, IReadOnlyDictionary<string, string> settings) : AppFactory(store, ownsStore: false)
{
    protected override IReadOnlyDictionary<string, string> Settings { get; } = settings;
}

/// <summary>The app started with further settings, as environment variables would give them.</summary>
public sealed class AppFactoryWith(IReadOnlyDictionary<string, string> settings) : AppFactory
{
    protected override IReadOnlyDictionary<string, string> Settings { get; } = settings;
}
