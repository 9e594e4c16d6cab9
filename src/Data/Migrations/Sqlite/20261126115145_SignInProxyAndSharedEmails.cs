using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CommerceManager.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SignInProxyAndSharedEmails : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Customers_NormalizedEmail",
                table: "Customers");

            migrationBuilder.AddColumn<bool>(
                name: "EmailShared",
                table: "Customers",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "LinkedExisting",
                table: "CustomerLogins",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "OidcIssuedCodes",
                columns: table => new
                {
                    CodeHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    CustomerId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ProfileId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RedirectUri = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: false),
                    CodeChallenge = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    ExpiresAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Used = table.Column<bool>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OidcIssuedCodes", x => x.CodeHash);
                });

            migrationBuilder.CreateTable(
                name: "OidcLoginRequests",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ProfileId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RedirectUri = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: false),
                    StorefrontState = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: true),
                    CodeChallenge = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    ProviderCodeVerifier = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    Nonce = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ExpiresAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OidcLoginRequests", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Customers_NormalizedEmail",
                table: "Customers",
                column: "NormalizedEmail");

            migrationBuilder.CreateIndex(
                name: "IX_Customers_NormalizedEmail_Unique",
                table: "Customers",
                column: "NormalizedEmail",
                unique: true,
                filter: "NOT \"EmailShared\"");

            migrationBuilder.CreateIndex(
                name: "IX_OidcIssuedCodes_ExpiresAt",
                table: "OidcIssuedCodes",
                column: "ExpiresAt");

            migrationBuilder.CreateIndex(
                name: "IX_OidcLoginRequests_ExpiresAt",
                table: "OidcLoginRequests",
                column: "ExpiresAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "OidcIssuedCodes");

            migrationBuilder.DropTable(
                name: "OidcLoginRequests");

            migrationBuilder.DropIndex(
                name: "IX_Customers_NormalizedEmail",
                table: "Customers");

            migrationBuilder.DropIndex(
                name: "IX_Customers_NormalizedEmail_Unique",
                table: "Customers");

            migrationBuilder.DropColumn(
                name: "EmailShared",
                table: "Customers");

            migrationBuilder.DropColumn(
                name: "LinkedExisting",
                table: "CustomerLogins");

            migrationBuilder.CreateIndex(
                name: "IX_Customers_NormalizedEmail",
                table: "Customers",
                column: "NormalizedEmail",
                unique: true);
        }
    }
}
