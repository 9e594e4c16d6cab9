using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CommerceManager.E2E;

/// <summary>The console works under its Content-Security-Policy, and cookies are Secure behind a trusted TLS proxy.</summary>
public sealed class SecureDeploymentTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Every_console_page_runs_under_the_CSP_without_a_violation()
    {
        var page = await browser.NewPageAsync();
        var violations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase) || message.Text.Contains("Content-Security-Policy", StringComparison.OrdinalIgnoreCase))
            {
                violations.Add(message.Text);
            }
        };

        await page.SignInAsync(KestrelApp.AdminEmail, KestrelApp.AdminPassword);
        await page.Locator("[data-testid=customer-table] tbody tr").First.GetByRole(AriaRole.Link).First.ClickAsync();
        await page.WaitForCircuitAsync();
        await page.GetByRole(AriaRole.Tab, new() { Name = "Addresses" }).ClickAsync();
        await page.GetByRole(AriaRole.Tab, new() { Name = "Orders" }).ClickAsync();
        foreach (var path in new[] { "orders", "settings/staff", "settings/api-keys", "settings/custom-fields", "settings/sign-in" })
        {
            await page.GotoAsync(path);
            await page.WaitForCircuitAsync();
        }
        await page.GotoAsync("orders");
        await page.WaitForCircuitAsync();
        await page.Locator("[data-testid=orders-table] tbody tr a").First.ClickAsync();
        await Assertions.Expect(page.GetByTestId("order-heading")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.ExpectUrlAsync("**/Account/Login**");

        Assert.Empty(violations);
    }

    [Fact]
    public async Task A_staff_member_with_a_handed_out_password_chooses_their_own_before_reaching_the_console()
    {
        const string email = "new.admin@e2e.example";
        const string handedOut = "handed out password 42";
        await using (var scope = browser.App.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<CommerceManager.Data.StaffUser>>();
            var user = new CommerceManager.Data.StaffUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = "New Admin", MustChangePassword = true };
            Assert.True((await users.CreateAsync(user, handedOut)).Succeeded);
            await users.AddToRoleAsync(user, CommerceManager.Security.Roles.Admin);
        }
        var page = await browser.NewPageAsync();

        await page.GotoAsync("Account/Login");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(handedOut);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.ExpectUrlAsync("**/Account/ChangePassword**");
        await Assertions.Expect(page.Locator("#must-change")).ToContainTextAsync("Choose your own before you go on");

        // Typing the new password twice differently keeps the user on the page with the message by the field.
        await page.GetByLabel("Current password").FillAsync(handedOut);
        await page.GetByLabel("New password", new() { Exact = true }).FillAsync("my very own passphrase");
        await page.GetByLabel("New password again").FillAsync("my very own passphrase!");
        await page.GetByRole(AriaRole.Button, new() { Name = "Change password" }).ClickAsync();
        await Assertions.Expect(page.GetByText("The two new passwords are not the same.")).ToBeVisibleAsync();
        await page.ShotAsync("change-password");

        await page.GetByLabel("Current password").FillAsync(handedOut);
        await page.GetByLabel("New password", new() { Exact = true }).FillAsync("my very own passphrase");
        await page.GetByLabel("New password again").FillAsync("my very own passphrase");
        await page.GetByRole(AriaRole.Button, new() { Name = "Change password" }).ClickAsync();
        await page.ExpectUrlAsync("**/");
        await page.WaitForCircuitAsync();
        await Assertions.Expect(page.GetByTestId("current-user")).ToHaveTextAsync(email);
    }

    [Fact]
    public async Task Behind_a_trusted_TLS_proxy_the_sign_in_cookie_is_Secure_and_an_untrusted_one_is_ignored()
    {
        await using var proxied = new KestrelApp { Settings = new Dictionary<string, string?> { ["ForwardedHeaders:KnownProxies:0"] = "127.0.0.1" } };
        proxied.Start();

        var trusted = await SignInCookieAsync(proxied.BaseUrl);
        var untrusted = await SignInCookieAsync(browser.App.BaseUrl);

        Assert.Contains("secure", trusted, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secure", untrusted, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Signs in over plain http with X-Forwarded-Proto: https, as a TLS proxy forwards it; returns the sign-in cookie's header.</summary>
    private static async Task<string> SignInCookieAsync(string baseUrl)
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() }) { BaseAddress = new Uri(baseUrl) };
        http.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        var form = await http.GetStringAsync("Account/Login");
        var token = Regex.Match(form, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        var response = await http.PostAsync("Account/Login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login", ["__RequestVerificationToken"] = token, ["Input.Email"] = KestrelApp.AdminEmail, ["Input.Password"] = KestrelApp.AdminPassword,
        }));
        return response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(".AspNetCore.Identity.Application", StringComparison.Ordinal));
    }
}
