#pragma once
// The job record of the DeepCell Kiosk (DESIGN §3): a Redis-style hash of string fields under the key
// `<queue>:<image name>:<uuid>`, and its status machine. Field names and status strings are the Kiosk's,
// exactly, so Kiosk clients can read our jobs unchanged.
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ck {

/// A job hash: field -> value, all strings (numbers as decimal text, times ISO-8601 UTC).
using JobFields = std::map<std::string, std::string>;

/// Kiosk job statuses. Images: new -> started -> pre-processing -> predicting -> post-processing ->
/// saving-results -> done | failed. Zip parents: new -> waiting -> done | failed.
namespace status {
inline constexpr const char* kNew = "new";
inline constexpr const char* kStarted = "started";
inline constexpr const char* kPreprocessing = "pre-processing";
inline constexpr const char* kPredicting = "predicting";
inline constexpr const char* kPostprocessing = "post-processing";
inline constexpr const char* kSavingResults = "saving-results";
inline constexpr const char* kWaiting = "waiting";
inline constexpr const char* kDone = "done";
inline constexpr const char* kFailed = "failed";
}  // namespace status

/// Kiosk hash field names (DESIGN §3) plus cellkiosk's own (marked).
namespace field {
inline constexpr const char* kOriginalName = "original_name";
inline constexpr const char* kInputFileName = "input_file_name";  ///< bucket key of the upload
inline constexpr const char* kModelName = "model_name";
inline constexpr const char* kModelVersion = "model_version";
inline constexpr const char* kPreprocessFunction = "preprocess_function";
inline constexpr const char* kPostprocessFunction = "postprocess_function";
inline constexpr const char* kScale = "scale";  ///< rescale factor (Kiosk dataRescale); "" = none
inline constexpr const char* kLabel = "label";
inline constexpr const char* kChannels = "channels";
inline constexpr const char* kDimensionOrder = "dimension_order";
inline constexpr const char* kStatus = "status";
inline constexpr const char* kCreatedAt = "created_at";
inline constexpr const char* kUpdatedAt = "updated_at";
inline constexpr const char* kIdentityUpload = "identity_upload";
inline constexpr const char* kIdentityStarted = "identity_started";
inline constexpr const char* kUpdatedBy = "updated_by";
inline constexpr const char* kReason = "reason";
inline constexpr const char* kOutputFileName = "output_file_name";  ///< bucket key of the result zip
inline constexpr const char* kOutputUrl = "output_url";
inline constexpr const char* kDownloadTime = "download_time";      ///< seconds
inline constexpr const char* kPredictionTime = "prediction_time";  ///< seconds, all batches
inline constexpr const char* kPostprocessTime = "postprocess_time";
inline constexpr const char* kUploadTime = "upload_time";
inline constexpr const char* kTotalTime = "total_time";
inline constexpr const char* kPredictRetries = "predict_retries";
inline constexpr const char* kFinishedAt = "finished_at";
inline constexpr const char* kTotalJobs = "total_jobs";
// zip parents
inline constexpr const char* kChildren = "children";  ///< comma-joined child job keys
inline constexpr const char* kChildrenDone = "children:done";
inline constexpr const char* kChildrenFailed = "children:failed";
inline constexpr const char* kProgress = "progress";  ///< 0-100
inline constexpr const char* kFailures = "failures";  ///< JSON list [{"name":..,"reason":..}] (cellkiosk)
// cellkiosk's own
inline constexpr const char* kParent = "parent";          ///< zip child: key of its parent job
inline constexpr const char* kRequeues = "requeues";      ///< times the janitor gave the job back to the queue
inline constexpr const char* kOutputPrefix = "output_prefix";  ///< bucket prefix of the per-file outputs
inline constexpr const char* kOutputs = "outputs";        ///< OutputChoice list (jobs/segment_request.h)
inline constexpr const char* kMpp = "mpp";                ///< µm/px of the input image ("" = model's)
inline constexpr const char* kObjects = "objects";        ///< number of objects found
inline constexpr const char* kOutputBase = "output_base";    ///< base output name given by a zip parent or submit
inline constexpr const char* kOutputList = "outputs_list";   ///< JSON [{key, name, kind, image}] of the outputs
inline constexpr const char* kWarning = "warning";            ///< one line, e.g. a blank channel
inline constexpr const char* kUnread = "unread";              ///< zip parent: JSON [{name, reason}] of members not read
inline constexpr const char* kSkipped = "skipped";            ///< zip parent: JSON [{name, reason}] of non-image members
}  // namespace field

/// True for `done` and `failed`.
bool is_terminal_status(std::string_view s);

/// Current time as ISO-8601 UTC with microseconds, e.g. "2026-11-29T14:12:55.123456+00:00" (Python's
/// datetime.isoformat(), parsed by dateutil as the Kiosk client needs).
std::string iso_now();

/// A random RFC-4122 version-4 UUID, lowercase hex with dashes.
std::string make_uuid();

/// Kiosk job key `<queue>:<image name>:<uuid>`. `image_name` is used as given (it may hold ':').
std::string make_job_key(std::string_view queue, std::string_view image_name);

/// Name of a consumer's processing list: `processing-<queue>:<consumer id>`.
std::string processing_list_name(std::string_view queue, std::string_view consumer_id);

/// Splits a comma-joined field value (e.g. `children`, `output_files`) into its non-empty items.
std::vector<std::string> split_commas(std::string_view s);

/// Seconds formatted as the Kiosk stores them ("0.253"; 6 significant digits, no exponent for ≥1e-6).
std::string format_seconds(double s);

}  // namespace ck
