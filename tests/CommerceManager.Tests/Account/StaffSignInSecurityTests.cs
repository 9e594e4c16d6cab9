extern alias tools;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using CommerceManager.Customers;
using CommerceManager.Data;
using CommerceManager.Security;
using CommerceManager.Tests.Infrastructure;
using tools::CommerceManager.Tools;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CommerceManager.Tests.Account;

/// <summary>Started without an admin password: the generated one is in the log and opens only the change-password page.</summary>
public sealed class GeneratedAdminPasswordTests(AppFactoryWithoutAdminPassword app) : IClassFixture<AppFactoryWithoutAdminPassword>
{
    [Fact]
    public async Task The_generated_first_admin_password_must_be_replaced_before_anything_else()
    {
        app.CreateClient();
        var line = Assert.Single(app.Log, l => l.Contains("Created the first admin.", StringComparison.Ordinal));
        var generated = Regex.Match(line, "and password (\\S+) ").Groups[1].Value;
        var client = await app.SignedInClientAsync(AppFactory.AdminEmail, generated);

        // Every console page leads to the change-password page, which says why; the API is not affected.
        var customers = await client.GetAsync("/customers?status=x");
        Assert.Equal(HttpStatusCode.Redirect, customers.StatusCode);
        Assert.Equal("/Account/ChangePassword?ReturnUrl=%2Fcustomers%3Fstatus%3Dx", customers.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/settings")).StatusCode);
        // So do the cookie endpoints that are not pages: personal data, an import's failed rows, export files.
        foreach (var download in new[] { $"/customers/{Guid.NewGuid()}/personal-data.json", $"/customers/{Guid.NewGuid()}/personal-data.html",
            $"/imports/{Guid.NewGuid()}/failed.csv", $"/exports/files/{Guid.NewGuid()}" })
        {
            var answer = await client.GetAsync(download);
            Assert.True(answer.StatusCode == HttpStatusCode.Redirect, $"{download} gave {(int)answer.StatusCode}");
            Assert.StartsWith("/Account/ChangePassword?ReturnUrl=", answer.Headers.Location?.OriginalString);
        }
        var page = await client.GetStringAsync("/Account/ChangePassword");
        Assert.Contains("Choose your own before you go on", page);

        // A wrong current password and a weak new one are refused next to their fields.
        var wrong = await PostChangeAsync(client, "not it", "a brand new long password", "a brand new long password");
        Assert.Contains("The current password is not right.", wrong);
        var weak = await PostChangeAsync(client, generated, "password123", "password123");
        Assert.Contains("id=\"new-password-error\"", weak);

        var changed = await PostChangeRawAsync(client, generated, "my own admin passphrase", "my own admin passphrase");
        Assert.Equal(HttpStatusCode.Redirect, changed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/customers")).StatusCode);

        // The generated password is gone; the chosen one signs straight in.
        Assert.NotEqual(HttpStatusCode.Redirect, (await AppFactory.PostLoginAsync(app.CreateBrowserlessClient(), AppFactory.AdminEmail, generated)).StatusCode);
        var again = await app.SignedInClientAsync(AppFactory.AdminEmail, "my own admin passphrase");
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync("/customers")).StatusCode);
    }

    private static async Task<string> PostChangeAsync(HttpClient client, string current, string next, string confirm)
    {
        var response = await PostChangeRawAsync(client, current, next, confirm);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static async Task<HttpResponseMessage> PostChangeRawAsync(HttpClient client, string current, string next, string confirm)
    {
        var form = await client.GetStringAsync("/Account/ChangePassword");
        var token = Regex.Match(form, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        return await client.PostAsync("/Account/ChangePassword", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "change-password",
            ["__RequestVerificationToken"] = token,
            ["Input.CurrentPassword"] = current,
            ["Input.NewPassword"] = next,
            ["Input.ConfirmPassword"] = confirm,
        }));
    }
}

/// <summary>The app with a password hasher that counts, to see how much work a sign-in does.</summary>
public sealed class CountingHasherApp : AppFactory
{
    public CountingHasher Hasher { get; } = new();

    protected override void ReplaceServices(IServiceCollection services) => services.AddSingleton<IPasswordHasher<StaffUser>>(Hasher);

    public sealed class CountingHasher : IPasswordHasher<StaffUser>
    {
        private readonly PasswordHasher<StaffUser> inner = new(Microsoft.Extensions.Options.Options.Create(new PasswordHasherOptions { IterationCount = PasswordPolicy.HashIterations }));
        private int verifications;

        public int Verifications => verifications;

        public string HashPassword(StaffUser user, string password) => inner.HashPassword(user, password);

        public PasswordVerificationResult VerifyHashedPassword(StaffUser user, string hashedPassword, string providedPassword)
        {
            Interlocked.Increment(ref verifications);
            return inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }
}

public sealed class StaffSignInTimingTests(CountingHasherApp app) : IClassFixture<CountingHasherApp>
{
    [Fact]
    public async Task An_unknown_email_costs_the_same_password_check_as_a_known_one()
    {
        var client = app.CreateBrowserlessClient();
        await client.GetAsync("/Account/Login");

        var before = app.Hasher.Verifications;
        var known = await AppFactory.PostLoginAsync(client, AppFactory.AdminEmail, "not the password");
        var afterKnown = app.Hasher.Verifications;
        var unknown = await AppFactory.PostLoginAsync(client, "nobody-here@test.example", "not the password");
        var afterUnknown = app.Hasher.Verifications;

        Assert.Equal(HttpStatusCode.OK, known.StatusCode);
        Assert.Equal(HttpStatusCode.OK, unknown.StatusCode);
        Assert.Equal(1, afterKnown - before);
        Assert.Equal(1, afterUnknown - afterKnown);
        // And the same answer, so the page doesn't tell either.
        Assert.Equal(ErrorOf(await known.Content.ReadAsStringAsync()), ErrorOf(await unknown.Content.ReadAsStringAsync()));
    }

    private static string ErrorOf(string page) => Regex.Match(page, "id=\"login-error\">([^<]+)<").Groups[1].Value;
}

public sealed class StaffEmergencyUnlockTests(AppFactory app) : IClassFixture<AppFactory>
{
    [Fact]
    public async Task The_unlock_tool_lets_a_locked_out_last_admin_back_in_with_a_password_to_replace()
    {
        await app.CreateAsync("only.admin@test.example", Roles.Admin, "the only admin password");
        for (var i = 0; i < 5; i++)
        {
            await AppFactory.PostLoginAsync(app.CreateBrowserlessClient(), "only.admin@test.example", "guess " + i);
        }
        var locked = await AppFactory.PostLoginAsync(app.CreateBrowserlessClient(), "only.admin@test.example", "the only admin password");
        Assert.EndsWith("Account/Lockout", locked.Headers.Location?.OriginalString);

        var output = new StringWriter();
        var previous = Console.Out;
        Console.SetOut(output);
        int exit;
        try
        {
            exit = await OpsCommands.UnlockStaffAsync(app.Services, "only.admin@test.example", newPassword: true);
        }
        finally
        {
            Console.SetOut(previous);
        }
        Assert.Equal(0, exit);
        var password = Regex.Match(output.ToString(), "password is now (\\S+) ").Groups[1].Value;
        Assert.Equal(20, password.Length);

        // In again with the printed password, which has to be replaced first.
        var client = await app.SignedInClientAsync("only.admin@test.example", password);
        var page = await client.GetAsync("/customers");
        Assert.StartsWith("/Account/ChangePassword", page.Headers.Location?.OriginalString);
        Assert.Equal(1, await OpsCommands.UnlockStaffAsync(app.Services, "nobody@test.example", newPassword: false));
    }
}

/// <summary>A production start: no demo data unless asked, and a warning while the keys lie unencrypted.</summary>
public sealed class ProductionStartTests
{
    [Fact]
    public async Task A_production_start_begins_empty_and_warns_once_that_the_keys_are_unencrypted()
    {
        await using var app = new AppFactoryWith(new Dictionary<string, string> { ["environment"] = "Production", ["Seed:DemoData"] = "" });
        app.CreateClient();

        await using (var db = await app.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync())
        {
            Assert.Equal(0, await db.Customers.CountAsync());
        }
        Assert.Single(app.Log, l => l.Contains("are stored unencrypted", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_development_start_gets_demo_data_and_no_key_warning()
    {
        await using var app = new AppFactoryWith(new Dictionary<string, string> { ["environment"] = "Development", ["Seed:DemoData"] = "" });
        app.CreateClient();

        await using (var db = await app.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync())
        {
            Assert.True(await db.Customers.CountAsync() > 100);
        }
        Assert.DoesNotContain(app.Log, l => l.Contains("are stored unencrypted", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_a_certificate_the_keys_are_encrypted_at_rest_and_there_is_no_warning()
    {
        var certificateFile = Path.Combine(Path.GetTempPath(), $"cm-dp-{Guid.NewGuid():N}.pfx");
        using (var rsa = RSA.Create(2048))
        {
            var request = new CertificateRequest("CN=Commerce Manager keys", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
            await File.WriteAllBytesAsync(certificateFile, certificate.Export(X509ContentType.Pfx, "pfx password"));
        }
        try
        {
            await using var app = new AppFactoryWith(new Dictionary<string, string>
            {
                ["environment"] = "Production",
                ["DataProtection:CertificatePath"] = certificateFile,
                ["DataProtection:CertificatePassword"] = "pfx password",
            });
            app.CreateClient();
            var protector = app.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test");
            Assert.Equal("secret", protector.Unprotect(protector.Protect("secret")));

            // Wherever the provider keeps them: files beside SQLite, a table in PostgreSQL.
            await using var scope = app.Services.CreateAsyncScope();
            var key = scope.ServiceProvider.GetService<PostgresDbContext>() is { } postgres
                ? Assert.Single(await postgres.DataProtectionKeys.Select(k => k.Xml).ToListAsync())!
                : await File.ReadAllTextAsync(Assert.Single(Directory.GetFiles(app.KeysPath, "key-*.xml")));
            Assert.Contains("encryptedSecret", key);
            Assert.DoesNotContain("<masterKey", key);
            Assert.DoesNotContain(app.Log, l => l.Contains("are stored unencrypted", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(certificateFile);
        }
    }
}
