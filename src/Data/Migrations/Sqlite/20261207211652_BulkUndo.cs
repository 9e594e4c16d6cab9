using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CommerceManager.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class BulkUndo : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "BatchId",
                table: "ChangeRecords",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "CustomerBulkJobs",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Action = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Subject = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    FieldId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Selected = table.Column<int>(type: "INTEGER", nullable: false),
                    Done = table.Column<int>(type: "INTEGER", nullable: false),
                    Skipped = table.Column<int>(type: "INTEGER", nullable: false),
                    SkippedWhy = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    StartedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    FinishedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    ById = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    By = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    UndoUntil = table.Column<DateTime>(type: "TEXT", nullable: false),
                    UndoOf = table.Column<Guid>(type: "TEXT", nullable: true),
                    UndoneAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    UndoneBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CustomerBulkJobs", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "CustomerBulkJobItems",
                columns: table => new
                {
                    JobId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CustomerId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Data = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CustomerBulkJobItems", x => new { x.JobId, x.CustomerId });
                    table.ForeignKey(
                        name: "FK_CustomerBulkJobItems_CustomerBulkJobs_JobId",
                        column: x => x.JobId,
                        principalTable: "CustomerBulkJobs",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ChangeRecords_BatchId_Id",
                table: "ChangeRecords",
                columns: new[] { "BatchId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_ChangeRecords_Unbatched",
                table: "ChangeRecords",
                column: "Id",
                filter: "\"BatchId\" IS NULL");

            migrationBuilder.CreateIndex(
                name: "IX_CustomerBulkJobItems_CustomerId",
                table: "CustomerBulkJobItems",
                column: "CustomerId");

            migrationBuilder.CreateIndex(
                name: "IX_CustomerBulkJobs_UndoUntil",
                table: "CustomerBulkJobs",
                column: "UndoUntil");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "CustomerBulkJobItems");

            migrationBuilder.DropTable(
                name: "CustomerBulkJobs");

            migrationBuilder.DropIndex(
                name: "IX_ChangeRecords_BatchId_Id",
                table: "ChangeRecords");

            migrationBuilder.DropIndex(
                name: "IX_ChangeRecords_Unbatched",
                table: "ChangeRecords");

            migrationBuilder.DropColumn(
                name: "BatchId",
                table: "ChangeRecords");
        }
    }
}
