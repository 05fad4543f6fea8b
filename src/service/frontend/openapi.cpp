// The OpenAPI 3.0 document of the REST frontend, served at GET /api/openapi.json. Its paths are the route table's
// (routes.h): the details of each operation come from kOpenApi below, the path list, the summaries and the
// public routes' `security: []` from the table, so a route cannot be missing from the document.
#include <cctype>

#include "service/frontend/frontend_internal.h"

namespace ck::api {

namespace {

const char* kOpenApi = R"JSON({
  "openapi": "3.0.3",
  "info": {
    "title": "cellkiosk REST API",
    "version": "0.1.0",
    "description": "Nuclear segmentation jobs over HTTP, wire-compatible with the DeepCell Kiosk frontend for the Kiosk client (upload, predict, redis, redis/expire, files). Every /api answer is JSON, errors are {\"message\": \"...\"} with a 4xx/5xx code. When the server has a token, every endpoint except health-check and this document needs 'Authorization: Bearer <token>'; /files and /api/download also accept ?exp=&job=&sig= (the signature in an output_url: valid 24 h and while the job exists); the token is never accepted in a URL."
  },
  "servers": [{"url": "/"}],
  "components": {
    "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
    "schemas": {
      "Error": {"type": "object", "required": ["message"], "properties": {"message": {"type": "string"}}},
      "Hash": {"type": "object", "required": ["hash"], "properties": {"hash": {"type": "string", "description": "job key <queue>:<imageName>:<uuid>"}}},
      "JobFields": {"type": "object", "additionalProperties": {"type": "string"}, "description": "Kiosk job hash: original_name, input_file_name, model_name, model_version, preprocess_function, postprocess_function, scale, label, channels, dimension_order, status, created_at, updated_at, identity_upload, identity_started, updated_by, reason, output_file_name, output_url, download_time, prediction_time, postprocess_time, upload_time, total_time, predict_retries, finished_at, total_jobs; zip parents: children, children:done, children:failed, progress, failures; cellkiosk: mpp, outputs, output_prefix, output_files, objects, parent, requeues"}
    },
    "responses": {
      "BadRequest": {"description": "invalid request", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "Unauthorized": {"description": "missing or wrong bearer token", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "NotFound": {"description": "no such job or file", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "TooMany": {"description": "rate limit exceeded (Retry-After header)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    }
  },
  "security": [{"bearer": []}],
  "paths": {
    "/api/health-check": {
      "get": {"summary": "Liveness", "security": [], "responses": {"200": {"description": "up", "content": {"application/json": {"example": {"message": "success"}}}}}}
    },
    "/api/upload": {
      "post": {
        "summary": "Upload one image (TIFF, PNG) or a zip of images into the bucket",
        "description": "Streamed into the bucket under <upload prefix>/<id>_<base name of the part's filename>. The type is checked on the first bytes. Send uploadedName back to /api/predict.",
        "requestBody": {"required": true, "content": {"multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {"file": {"type": "string", "format": "binary"}}}}}},
        "responses": {
          "200": {"description": "stored", "content": {"application/json": {"schema": {"type": "object", "properties": {"imageURL": {"type": "string", "description": "absolute URL of the upload"}, "uploadedName": {"type": "string", "example": "uploads/1a2b3c4d5e6f7a8b_image.png"}}}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "413": {"description": "file over the upload limit (nothing kept)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "415": {"description": "not a TIFF, PNG, JPEG or zip file (nothing kept; a Kiosk-style client (treq: Connection: close, UUID boundary) is answered 200 and its job fails with the reason)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "429": {"$ref": "#/components/responses/TooMany"}
        }
      }
    },
    "/api/predict": {
      "post": {
        "summary": "Create a segmentation job",
        "description": "Writes the job hash (status new) and pushes its key onto the queue named by jobType, or <jobType>-zip for a zip upload.",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["jobType", "imageName", "uploadedName"], "properties": {
          "jobType": {"type": "string", "example": "segmentation", "description": "one of GET /api/jobtypes"},
          "imageName": {"type": "string", "description": "name the results are saved under"},
          "uploadedName": {"type": "string", "description": "bucket key from /api/upload (must start with the upload prefix)"},
          "modelName": {"type": "string", "description": "\"\" = the served model"},
          "modelVersion": {"type": "string"},
          "preprocessFunction": {"type": "string"},
          "postprocessFunction": {"type": "string"},
          "dataRescale": {"oneOf": [{"type": "number"}, {"type": "string"}], "description": "rescale factor; \"\" = none (Kiosk-G2)"},
          "dataLabel": {"oneOf": [{"type": "integer"}, {"type": "string"}]},
          "jobForm": {"type": "object", "properties": {"scale": {"oneOf": [{"type": "number"}, {"type": "string"}]}, "label": {"oneOf": [{"type": "integer"}, {"type": "string"}]}, "mpp": {"oneOf": [{"type": "number"}, {"type": "string"}]}}},
          "mpp": {"oneOf": [{"type": "number"}, {"type": "string"}], "description": "image resolution in um/px (> 0); \"\" = the model's"},
          "outputs": {"oneOf": [{"type": "string", "example": "overlay,preview"}, {"type": "array", "items": {"type": "string", "enum": ["labels", "csv", "-csv", "overlay", "preview", "geojson", "rois"]}}]}
        }}}}},
        "responses": {
          "200": {"description": "job created", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Hash"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "404": {"$ref": "#/components/responses/NotFound"},
          "413": {"description": "image over the pixel limit (read from its header)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "415": {"description": "the upload is not a TIFF, PNG, JPEG or zip file (a body with the Kiosk-G2 fields dataRescale/dataLabel gets 200 and a job that is born failed with the reason, for every 4xx but 404)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        }
      }
    },
    "/api/status": {
      "post": {
        "summary": "Status of a job",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Hash"}}}},
        "responses": {
          "200": {"description": "status", "content": {"application/json": {"schema": {"type": "object", "properties": {"status": {"type": "string", "enum": ["new", "started", "pre-processing", "predicting", "post-processing", "saving-results", "waiting", "done", "failed"]}}}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "404": {"description": "no such job", "content": {"application/json": {"example": {"status": null, "message": "no job 'x'"}}}}
        }
      }
    },
    "/api/redis": {
      "post": {
        "summary": "Read job fields (Kiosk)",
        "description": "key is one field name (value: string or null) or a list of names (value: list). Missing fields and jobs give null, never an error. output_url is an absolute URL for a done job.",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["hash", "key"], "properties": {"hash": {"type": "string"}, "key": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}}}}}},
        "responses": {
          "200": {"description": "value(s)", "content": {"application/json": {"schema": {"type": "object", "properties": {"value": {"nullable": true, "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string", "nullable": true}}]}}}}}},
          "400": {"$ref": "#/components/responses/BadRequest"}
        }
      }
    },
    "/api/redis/expire": {
      "post": {
        "summary": "Let a job expire (Kiosk)",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["hash"], "properties": {"hash": {"type": "string"}, "expireIn": {"type": "integer", "default": 3600, "description": "seconds"}}}}}},
        "responses": {
          "200": {"description": "expiry set", "content": {"application/json": {"example": {"value": 1}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "404": {"description": "no such job", "content": {"application/json": {"example": {"value": 0, "message": "no job 'x'"}}}}
        }
      }
    },
    "/api/jobs/{hash}": {
      "get": {
        "summary": "Every field of a job (web UI)",
        "parameters": [{"name": "hash", "in": "path", "required": true, "schema": {"type": "string"}}],
        "responses": {
          "200": {"description": "fields", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/JobFields"}}}},
          "404": {"$ref": "#/components/responses/NotFound"}
        }
      }
    },
    "/api/models": {
      "get": {
        "summary": "Served models",
        "responses": {"200": {"description": "Kiosk shape plus details", "content": {"application/json": {"example": {"models": {"nuclear": ["1"]}, "details": [{"name": "nuclear", "versions": ["1"], "mpp": 0.65, "architecture": "NucleusNet", "channels": 1, "postprocess": "deep_watershed", "description": "..."}]}}}}}
      }
    },
    "/api/jobtypes": {
      "get": {"summary": "Accepted job types (queues)", "responses": {"200": {"description": "job types", "content": {"application/json": {"example": {"jobTypes": ["segmentation"]}}}}}}
    },
    "/api/download/{key}": {
      "get": {
        "summary": "Download a bucket object as an attachment",
        "parameters": [{"name": "key", "in": "path", "required": true, "schema": {"type": "string"}, "description": "bucket key under uploads/ or output/"}, {"name": "sig", "in": "query", "schema": {"type": "string"}}, {"name": "exp", "in": "query", "schema": {"type": "integer"}, "description": "expiry of the signature, Unix seconds"}, {"name": "job", "in": "query", "schema": {"type": "string"}, "description": "the job the signature is bound to"}],
        "responses": {"200": {"description": "the object (Range requests supported)"}, "400": {"$ref": "#/components/responses/BadRequest"}, "404": {"$ref": "#/components/responses/NotFound"}}
      }
    },
    "/files/{key}": {
      "get": {
        "summary": "A bucket object (imageURL, output_url)",
        "parameters": [{"name": "key", "in": "path", "required": true, "schema": {"type": "string"}}, {"name": "sig", "in": "query", "schema": {"type": "string"}}, {"name": "exp", "in": "query", "schema": {"type": "integer"}, "description": "expiry of the signature, Unix seconds"}, {"name": "job", "in": "query", "schema": {"type": "string"}, "description": "the job the signature is bound to"}],
        "responses": {"200": {"description": "the object"}, "400": {"$ref": "#/components/responses/BadRequest"}, "404": {"$ref": "#/components/responses/NotFound"}}
      }
    },
    "/api/openapi.json": {
      "get": {"summary": "This document", "security": [], "responses": {"200": {"description": "OpenAPI 3.0"}}}
    },
    "/metrics": {
      "get": {"summary": "Prometheus metrics (text format 0.0.4)", "description": "cellkiosk_http_requests_total{method,path_template,code}, cellkiosk_bytes_total{direction}, cellkiosk_queue_depth{queue}, cellkiosk_processing_jobs{queue}, cellkiosk_jobs{status}, cellkiosk_jobs_created_total{queue}, cellkiosk_jobs_finished_total{queue,status}, cellkiosk_stage_seconds{stage} (histogram), cellkiosk_bucket_bytes_total{op}, cellkiosk_bucket_bytes / cellkiosk_bucket_objects (what the retention sweep of serve keeps) and cellkiosk_bucket_deleted_total, and the consumers' metrics in the same process.", "responses": {"200": {"description": "metrics", "content": {"text/plain": {}}}}}
    },
    "/": {
      "get": {"summary": "Web UI (static files)", "security": [], "responses": {"200": {"description": "HTML"}}}
    }
  }
}
)JSON";

}  // namespace

const std::string& openapi_document() {
  static const std::string doc = [] {
    nlohmann::json details = nlohmann::json::parse(kOpenApi);
    nlohmann::json paths = nlohmann::json::object();
    for (const Route& r : routes()) {
      std::string method = r.method;
      for (char& ch : method) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      nlohmann::json op = nlohmann::json::object();
      if (details["paths"].contains(r.path) && details["paths"][r.path].contains(method))
        op = details["paths"][r.path][method];
      op["summary"] = r.summary;
      if (r.access == Access::Public) op["security"] = nlohmann::json::array();
      else op.erase("security");
      if (!op.contains("responses")) op["responses"] = {{"200", {{"description", "OK"}}}};
      paths[r.path][method] = op;
    }
    details["paths"] = paths;
    return details.dump(2);
  }();
  return doc;
}

}  // namespace ck::api
