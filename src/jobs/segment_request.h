#pragma once
// SegmentRequest: what one segmentation asks for (model, channel, pixel size, outputs, thresholds), typed.
// Parsed once at the frontend (from the /api/predict JSON body, Kiosk field names included), stored in the job
// hash with to_fields(), and read back by the consumer with from_fields(); `cellkiosk segment` fills the same
// struct from its flags. The Kiosk's fields are mapped here and nowhere else (DESIGN §3, kiosk-client-contract
// rule 11):
//   dataRescale / scale (job field `scale`): the Kiosk consumer segments at image_mpp = scale × model_mpp, so an
//                                            image with scale 2 is enlarged ×2 before the model; "" = 1
//   dataLabel / label  (job field `label`) : the channel holding the nuclear stain (0-based)
//   channels           (job field `channels`): comma list, its first item is the nuclear channel (wins over label)
//   mpp (cellkiosk)    (job field `mpp`)   : µm/px of the input; wins over scale
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "jobs/job.h"

namespace ck {

/// A request that makes no sense; what() is one line naming the field and the value.
struct RequestError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

/// The optional outputs a request may ask for besides the label image: the one list both the CLI (`--outputs`)
/// and the service (job field `outputs`) accept. Names: "labels" (always written), "csv" (per-object table,
/// default on), "overlay" (outlines burned into the image, PNG), "preview" (8-bit preview + transparent outline
/// layer for the web viewer; bucket only, not in result zips), "geojson" (object outlines + measurements as a
/// GeoJSON FeatureCollection for QuPath, off by default), "rois" (ImageJ/Fiji ROI set, a zip of .roi files, off by
/// default).
struct OutputChoice {
  bool objects_csv = true;
  bool overlay = false;
  bool preview = false;
  bool geojson = false;
  bool rois = false;

  /// The accepted names, in documentation order.
  static const std::vector<std::string>& known();
  /// Parses "overlay,preview,geojson" (spaces ignored, duplicates dropped; "" = defaults). Names add to the defaults;
  /// "-csv" (or "nocsv") turns the table off. Throws RequestError naming an unknown item and the known ones.
  static OutputChoice parse(std::string_view list);
  /// Canonical comma list of the non-default choices ("" for the defaults); parse(to_string()) == *this.
  std::string to_string() const;
  bool operator==(const OutputChoice&) const = default;
};

/// A whole string (spaces around it allowed) as a finite double; nullopt for "", trailing text, NaN or ±inf.
/// The one number parser of request fields (also used for the frontend's other numeric fields, e.g. expireIn).
std::optional<double> parse_finite_number(const std::string& text);

/// One segmentation request. Unset optionals keep the model card's values.
struct SegmentRequest {
  std::string model;    ///< model name ("" = the default model)
  std::string version;  ///< model version ("" = the model's)
  std::optional<int> channel;  ///< 0-based channel of the nuclear stain; unset = automatic (channel 0, unless it is
                               ///< blank and another channel has signal: then that one, with a warning)
  double mpp = 0;       ///< µm/px of the input; 0 = not given
  double scale = 0;     ///< Kiosk scale (image_mpp = scale × model_mpp); 0 = not given (1)
  OutputChoice outputs;
  // deep-watershed overrides (model resolution, i.e. after the rescale)
  std::optional<double> maxima_threshold;    ///< h of the h-maxima markers, inner-distance units (0-1)
  std::optional<double> interior_threshold;  ///< watershed mask threshold, outer-distance units (0-1)
  std::optional<double> maxima_smooth;       ///< Gaussian σ on the inner distance, px
  std::optional<double> interior_smooth;     ///< Gaussian σ on the outer distance, px
  std::optional<int> radius;                 ///< marker disk radius, px
  std::optional<int> small_objects;          ///< remove objects below this area, px²
  std::optional<int> fill_holes;             ///< fill holes below this area, px²
  std::optional<std::string> maxima_algorithm;  ///< "h_maxima" or "peak_local_max"
  std::optional<double> min_snr;  ///< signal-to-noise floor below which an image has no objects (default 10; 0 = off)

  /// µm/px of the input for this request: `mpp` if given, else scale × model_mpp if a scale ≠ 1 was given, else
  /// 0 (= the model's own pixel size, no rescale).
  double image_mpp(double model_mpp) const;

  /// Job hash fields (Kiosk names where the Kiosk has them: model_name, model_version, scale, label, channels;
  /// ours: mpp, outputs, and one field per threshold override). Empty strings for unset values.
  JobFields to_fields() const;
  /// The inverse of to_fields() (also reads hashes written by Kiosk producers). Throws RequestError.
  static SegmentRequest from_fields(const JobFields& f);
  /// The /api/predict body: Kiosk-G2 (`dataRescale`, `dataLabel`), the Kiosk web UI's `jobForm{scale,label,...}`
  /// and ours (`mpp`, `channel`, `outputs` string or list, threshold names). Numbers may be JSON numbers or
  /// numeric strings; "" and null mean not given. Throws RequestError.
  static SegmentRequest from_json(const nlohmann::json& body);
  bool operator==(const SegmentRequest&) const = default;
};

}  // namespace ck
