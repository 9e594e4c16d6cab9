using CommerceManager.Data;
using CommerceManager.Security;
using Microsoft.AspNetCore.Identity;

namespace CommerceManager.Account;

public static class StaffIdentitySetup
{
    public static IServiceCollection AddStaffIdentity(this IServiceCollection services)
    {
        services.AddCascadingAuthenticationState();
        services.AddScoped<IdentityRedirectManager>();
        services.AddScoped<StaffSignIn>();
        services.AddScoped<Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider, RevalidatingAuthStateProvider>();

        services.AddAuthentication(o =>
            {
                o.DefaultScheme = IdentityConstants.ApplicationScheme;
                o.DefaultSignInScheme = IdentityConstants.ExternalScheme;
            })
            .AddIdentityCookies();
        services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = "/Account/Login";
            o.LogoutPath = "/Account/Logout";
            o.AccessDeniedPath = "/Account/AccessDenied";
            o.SlidingExpiration = true;
            o.ExpireTimeSpan = TimeSpan.FromHours(8);
        });
        services.AddAuthorization();
        // A role change, a lock, a reset password or a removal replaces the security stamp: sign-in cookies are checked
        // against it every minute (not Identity's 30), so it reaches file downloads and other cookie-only endpoints within
        // minutes, as it reaches open console tabs (RevalidatingAuthStateProvider).
        services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = StaffSessions.RevalidateEvery);

        services.Configure<PasswordHasherOptions>(o => o.IterationCount = PasswordPolicy.HashIterations);
        services.AddIdentityCore<StaffUser>(o =>
            {
                // Length and a breach list instead of composition rules (PasswordPolicy).
                o.Password.RequiredLength = PasswordPolicy.MinLength;
                o.Password.RequireDigit = false;
                o.Password.RequireLowercase = false;
                o.Password.RequireUppercase = false;
                o.Password.RequireNonAlphanumeric = false;
                o.Password.RequiredUniqueChars = 1;
                o.Lockout.AllowedForNewUsers = true;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                o.User.RequireUniqueEmail = true;
                o.SignIn.RequireConfirmedAccount = false;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<AppDbContext>()
            .AddSignInManager()
            .AddClaimsPrincipalFactory<StaffClaimsFactory>()
            .AddDefaultTokenProviders()
            .AddPasswordValidator<PolicyPasswordValidator<StaffUser>>();
        return services;
    }
}

public static class StaffSessions
{
    /// <summary>How often a staff sign-in is checked against the account (role, lock, password, removal).</summary>
    public static readonly TimeSpan RevalidateEvery = TimeSpan.FromMinutes(1);
}
