//go:build !(js && wasm)

package server

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/convscope/convscope/internal/format"
)

// fashionZH is the Simplified Chinese name of each Fashion-MNIST class, keyed
// by its English name (so the pairing, not only the file, is checked).
var fashionZH = map[string]string{
	"T-shirt/top": "T恤/上衣", "Trouser": "裤子", "Pullover": "套头衫", "Dress": "连衣裙", "Coat": "外套",
	"Sandal": "凉鞋", "Shirt": "衬衫", "Sneaker": "运动鞋", "Bag": "包", "Ankle boot": "短靴",
}

// fashionTW is the Traditional Chinese (Taiwan) name of each class, keyed by
// its English name: Taiwan's words where they differ (長褲, 洋裝, 包包), not a
// character conversion of fashionZH.
var fashionTW = map[string]string{
	"T-shirt/top": "T恤/上衣", "Trouser": "長褲", "Pullover": "套頭衫", "Dress": "洋裝", "Coat": "外套",
	"Sandal": "涼鞋", "Shirt": "襯衫", "Sneaker": "運動鞋", "Bag": "包包", "Ankle boot": "短靴",
}

type i18nDetail struct {
	Labels     []string
	LabelsI18n map[string][]string `json:"labels_i18n"`
}

func getI18n(t *testing.T, s *Server, id string) i18nDetail {
	t.Helper()
	w := do(t, s, "GET", "/api/models/"+id, nil, "")
	var d i18nDetail
	if err := json.Unmarshal(w.Body.Bytes(), &d); err != nil || w.Code != 200 {
		t.Fatalf("GET %s: %d %s", id, w.Code, w.Body)
	}
	return d
}

// copyDefaultModel copies the default model's files (not its examples) to a
// temporary folder and returns it.
func copyDefaultModel(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, n := range []string{"model.json", "group1-shard1of1.bin"} {
		b, err := os.ReadFile(filepath.Join("..", "zoo", "defaultmodel", n))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, n), b, 0o644)
	}
	return dir
}

// TestLabelsI18n: the default model ships its class names in zh-CN and zh-TW, paired
// with the English ones; a model folder with labels.<lang>.txt gets them in
// labels_i18n; a file with the wrong count is refused at load, naming it.
func TestLabelsI18n(t *testing.T) {
	s := newTestServer(t, Config{})
	d := getI18n(t, s, DefaultID)
	zh := d.LabelsI18n["zh-CN"]
	if len(d.Labels) != 10 || len(zh) != 10 {
		t.Fatalf("default model labels %v, zh-CN %v", d.Labels, zh)
	}
	tw := d.LabelsI18n["zh-TW"]
	if len(tw) != 10 {
		t.Fatalf("default model zh-TW labels %v", tw)
	}
	for i, en := range d.Labels {
		if zh[i] != fashionZH[en] {
			t.Errorf("class %d %q: zh-CN %q, want %q", i, en, zh[i], fashionZH[en])
		}
		if tw[i] != fashionTW[en] {
			t.Errorf("class %d %q: zh-TW %q, want %q", i, en, tw[i], fashionTW[en])
		}
	}

	dir := copyDefaultModel(t)
	os.WriteFile(filepath.Join(dir, "labels.de.txt"), []byte("T-Shirt/Top\nHose\nPullover\nKleid\nMantel\nSandale\nHemd\nSneaker\nTasche\nStiefelette\n\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "labels.notes.backup.txt"), []byte("ignored: not a language tag\n"), 0o644)
	s = newTestServer(t, Config{Models: []ModelSpec{{Path: filepath.Join(dir, "model.json")}}})
	id := s.ModelIDs()[1]
	d = getI18n(t, s, id)
	if de := d.LabelsI18n["de"]; len(d.LabelsI18n) != 1 || len(de) != 10 || de[1] != "Hose" || de[9] != "Stiefelette" {
		t.Fatalf("labels_i18n %v", d.LabelsI18n)
	}

	os.WriteFile(filepath.Join(dir, "labels.zh-CN.txt"), []byte("T恤/上衣\n裤子\n套头衫\n连衣裙\n外套\n凉鞋\n衬衫\n运动鞋\n包\n"), 0o644)
	_, err := New(Config{UI: testUI, Models: []ModelSpec{{Path: filepath.Join(dir, "model.json")}}})
	if err == nil || !strings.Contains(err.Error(), "labels.zh-CN.txt: 9 class names, but the model has 10") {
		t.Fatalf("9 zh-CN names for 10 classes: %v", err)
	}
}

// TestLabelsI18nUpload: a labels.<lang>.txt part of an upload gives the
// translated names; one with the wrong count is refused with 4xx naming it.
func TestLabelsI18nUpload(t *testing.T) {
	dir := copyDefaultModel(t)
	files := format.MemFS{}
	for _, n := range []string{"model.json", "group1-shard1of1.bin"} {
		files[n], _ = os.ReadFile(filepath.Join(dir, n))
	}
	files["labels.zh-CN.txt"] = []byte("T恤/上衣\n裤子\n套头衫\n连衣裙\n外套\n凉鞋\n衬衫\n运动鞋\n包\n短靴\n")
	s := newTestServer(t, Config{})
	a := added(t, postFiles(t, s, "/api/models", files, "model.json", "group1-shard1of1.bin", "labels.zh-CN.txt"))
	if d := getI18n(t, s, a.Model.ID); len(d.LabelsI18n["zh-CN"]) != 10 || d.LabelsI18n["zh-CN"][9] != "短靴" {
		t.Fatalf("uploaded labels_i18n %v", d.LabelsI18n)
	}
	files["labels.zh-CN.txt"] = []byte("T恤/上衣\n裤子\n")
	w := postFiles(t, s, "/api/models", files, "model.json", "group1-shard1of1.bin", "labels.zh-CN.txt")
	if w.Code < 400 || w.Code >= 500 || !strings.Contains(w.Body.String(), "labels.zh-CN.txt: 2 class names") {
		t.Fatalf("2 zh-CN names for 10 classes: %d %s", w.Code, w.Body)
	}
}
